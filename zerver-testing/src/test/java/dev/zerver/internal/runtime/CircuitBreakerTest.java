package dev.zerver.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerver.Decision;
import dev.zerver.EffectKind;
import dev.zerver.Need;
import dev.zerver.Response;
import dev.zerver.RetryPolicy;
import dev.zerver.Slot;
import dev.zerver.Step;
import dev.zerver.spi.EffectFailure;
import dev.zerver.telemetry.EffectRecord;
import dev.zerver.testing.ScriptedEffects;
import dev.zerver.testing.ScriptedEffects.Script;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Circuit breakers per effect target, on the deterministic clock. */
class CircuitBreakerTest {
    static final Slot<String> OUT = Slot.of("out", String.class);
    static final EffectFailure DOWN = EffectFailure.infrastructure("io_error", "peer down");

    private final AtomicReference<Script> next = new AtomicReference<>();
    private final Deterministic d = new Deterministic(
            Map.of("ZER_VER_CIRCUIT_FAILURES", "3", "ZER_VER_CIRCUIT_OPEN", "1s"),
            b -> b.get("/p", Step.named("call").writes(OUT).run(ctx -> Need.of(ScriptedEffects
                    .effect(EffectKind.HTTP, "get", "peer", next.get()).into(OUT).retry(RetryPolicy.attempts(2)
                            .backoff(Duration.ofMillis(1))))
                    .continueWith("show", k -> Decision.done(Response.text(k.require(OUT)))))));

    private EffectRecord call(Script script) {
        next.set(script);
        d.call("GET", "/p");
        return d.record().effects().get(0);
    }

    @Test
    void opensAfterConsecutiveFailuresFailsFastHalfOpensAndCloses() {
        Script failing = Script.failing(DOWN);
        call(failing);                     // attempts 1 and 2 fail: two consecutive failures
        assertThat(failing.calls()).isEqualTo(2);
        EffectRecord third = call(failing); // the third failure opens the circuit; attempt 2 is refused
        assertThat(failing.calls()).isEqualTo(3);
        assertThat(third.errorType()).isEqualTo("circuit_open");
        assertThat(third.retries()).hasSize(1);

        Script healthy = Script.returning("ok");
        EffectRecord refused = call(healthy);
        assertThat(refused.errorType()).isEqualTo("circuit_open");
        assertThat(refused.isInfrastructureFailure()).isTrue();
        assertThat(refused.retries()).as("an open circuit is not retried").isEmpty();
        assertThat(healthy.calls()).isZero();

        d.scheduler.advance(Duration.ofSeconds(1));
        EffectRecord trial = call(Script.failing(DOWN));
        assertThat(trial.errorType()).as("the half-open trial failed: open again").isEqualTo("circuit_open");
        assertThat(call(healthy).errorType()).isEqualTo("circuit_open");

        d.scheduler.advance(Duration.ofSeconds(1));
        assertThat(call(healthy).success()).isTrue();
        assertThat(healthy.calls()).isEqualTo(1);
        assertThat(call(healthy).success()).as("closed again").isTrue();
    }

    @Test
    void applicationFailuresDoNotOpenTheCircuit() {
        Script notFound = Script.failing(EffectFailure.application("not_found", "none", 404));
        for (int i = 0; i < 5; i++) {
            assertThat(call(notFound).errorType()).isEqualTo("not_found");
        }
        assertThat(notFound.calls()).isEqualTo(5);
    }
}
