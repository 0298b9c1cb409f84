package dev.zerver.testing;

import dev.zerver.Effect;
import dev.zerver.EffectKind;
import dev.zerver.spi.EffectContext;
import dev.zerver.spi.EffectFailure;
import dev.zerver.spi.EffectHandler;
import dev.zerver.spi.EffectResult;
import dev.zerver.telemetry.ParkCause;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-memory effect handler for tests: each effect carries a {@link Script} of parks (each
 * resumed by a timer after its duration, so a {@link ManualScheduler} controls it exactly) and an
 * outcome (a value, a failure, failures for the first attempts, or no answer at all).
 *
 * <pre>{@code
 * Effect e = ScriptedEffects.effect(EffectKind.DB, "get", "blog_post",
 *         Script.returning("{\"id\":1}").park(ParkCause.IO_WAIT, "db", Duration.ofMillis(3)))
 *     .into(POST);
 * }</pre>
 */
public final class ScriptedEffects implements EffectHandler<ScriptedEffects.Script> {

    /** An effect whose request is this script. */
    public static Effect effect(EffectKind kind, String operation, String target, Script script) {
        return Effect.of(kind, operation, target, script);
    }

    @Override
    public Class<Script> requestType() {
        return Script.class;
    }

    @Override
    public CompletionStage<EffectResult> execute(Script script, Effect effect, EffectContext ctx) {
        script.calls.incrementAndGet();
        script.attributes.forEach(ctx::attribute);
        CompletableFuture<EffectResult> result = new CompletableFuture<>();
        ctx.onAbandon(() -> result.cancel(false));
        step(script, 0, ctx, result);
        return result;
    }

    private void step(Script script, int index, EffectContext ctx, CompletableFuture<EffectResult> result) {
        if (index < script.parks.size()) {
            Park p = script.parks.get(index);
            ctx.park(p.cause, p.token, p.limitCurrent, p.limitMax);
            ctx.timers().schedule(p.duration.toNanos(), () -> {
                if (result.isDone()) {
                    return;
                }
                ctx.resume();
                step(script, index + 1, ctx, result);
            });
            return;
        }
        if (script.never) {
            return;
        }
        if (ctx.attempt() <= script.failingAttempts || script.value == null && script.failure != null) {
            result.completeExceptionally(script.failure);
        } else {
            result.complete(EffectResult.of(script.value));
        }
    }

    private record Park(ParkCause cause, String token, long limitCurrent, long limitMax, Duration duration) {}

    /** What one scripted effect does on each attempt. Immutable but for its call counter. */
    public static final class Script {
        private final Object value;
        private final EffectFailure failure;
        private final int failingAttempts;
        private final boolean never;
        private final List<Park> parks;
        private final Map<String, Object> attributes;
        private final AtomicInteger calls = new AtomicInteger();

        private Script(Object value, EffectFailure failure, int failingAttempts, boolean never, List<Park> parks,
                Map<String, Object> attributes) {
            this.value = value;
            this.failure = failure;
            this.failingAttempts = failingAttempts;
            this.never = never;
            this.parks = parks;
            this.attributes = attributes;
        }

        private Script(Object value, EffectFailure failure, int failingAttempts, boolean never, List<Park> parks) {
            this(value, failure, failingAttempts, never, parks, Map.of());
        }

        /** Each attempt records this fact, as a real handler records e.g. {@code db.system.name}. */
        public Script attribute(String name, Object value) {
            Map<String, Object> more = new LinkedHashMap<>(attributes);
            more.put(name, value);
            return new Script(this.value, failure, failingAttempts, never, parks, Collections.unmodifiableMap(more));
        }

        /** Succeeds with this value (bytes, text, or an object for JSON conversion). */
        public static Script returning(Object value) {
            return new Script(value, null, 0, false, List.of());
        }

        /** Fails every attempt. */
        public static Script failing(EffectFailure failure) {
            return new Script(null, failure, Integer.MAX_VALUE, false, List.of());
        }

        /** Never answers (until abandoned by a timeout or cancellation). */
        public static Script never() {
            return new Script(null, null, 0, true, List.of());
        }

        /** The first {@code attempts} attempts fail with {@code f}; later ones return the value. */
        public Script failFirst(int attempts, EffectFailure f) {
            return new Script(value, f, attempts, never, parks, attributes);
        }

        /** Each attempt first parks for {@code duration}. */
        public Script park(ParkCause cause, String token, Duration duration) {
            return park(cause, token, -1, -1, duration);
        }

        /** Each attempt first parks for {@code duration}, with limits. */
        public Script park(ParkCause cause, String token, long limitCurrent, long limitMax, Duration duration) {
            List<Park> more = new ArrayList<>(parks);
            more.add(new Park(cause, token, limitCurrent, limitMax, duration));
            return new Script(value, failure, failingAttempts, never, List.copyOf(more), attributes);
        }

        /** How many attempts ran. */
        public int calls() {
            return calls.get();
        }
    }
}
