package dev.zerver.effects.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerver.Decision;
import dev.zerver.Effect;
import dev.zerver.Need;
import dev.zerver.Response;
import dev.zerver.Slot;
import dev.zerver.Step;
import dev.zerver.effects.App;
import dev.zerver.effects.compute.Compute;
import dev.zerver.effects.compute.ComputeEffects;
import dev.zerver.effects.timer.Timer;
import dev.zerver.effects.timer.TimerEffects;
import dev.zerver.telemetry.EffectRecord;
import dev.zerver.telemetry.JobRecord;
import dev.zerver.telemetry.ParkCause;
import dev.zerver.testing.InProcess;
import dev.zerver.testing.ManualScheduler;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The in-process families (cache, timer, compute) under the deterministic scheduler. */
class CacheTimerComputeTest {
    static final Slot<String> OUT = Slot.of("out", String.class);
    private final ManualScheduler scheduler = new ManualScheduler();
    private final CacheEffects cache = CacheEffects.builder()
            .namespace("author_profile", Duration.ofSeconds(60), 100).clock(scheduler.clock()).build();

    /** GET /e/{arg} runs the effect built from {arg} and answers its slot, "(none)" or the status. */
    private App app(Function<String, Effect> effect) {
        return App.manual(scheduler, Map.of(), List.of(cache, new TimerEffects(), new ComputeEffects()),
                b -> b.get("/e/{arg}", Step.named("e").writes(OUT).run(ctx -> Need.of(effect.apply(ctx.param("arg"))
                        .into(OUT)).continueWith("show", k -> Decision.done(Response.text(k.optional(OUT)
                        .orElse("(none)")))))));
    }

    private static String call(App app, String arg) {
        InProcess.Exchange ex = app.send("GET", "/e/" + arg);
        app.scheduler.runUntilIdle();
        if (!ex.answered()) {
            app.scheduler.runToCompletion();
        }
        return ex.response().status() == 200 ? ex.response().bodyText() : "status " + ex.response().status();
    }

    private static EffectRecord effect(App app) throws Exception {
        return app.record().effects().get(0);
    }

    @Test
    void cacheMissPutHitAndExpiryOnTheRuntimeClock() throws Exception {
        App app = app(arg -> {
            String[] kv = arg.split("=");
            return kv.length == 2 ? Cache.put("author_profile", kv[0], kv[1]) : Cache.get("author_profile", kv[0]);
        });
        assertThat(call(app, "ana")).isEqualTo("(none)");
        assertThat(effect(app).attributes()).containsEntry("cache.hit", false).containsEntry("cache.system", "caffeine")
                .containsEntry("cache.operation", "get");
        assertThat(call(app, "ana=Ana")).isEqualTo("(none)");
        assertThat(effect(app).attributes()).containsEntry("cache.operation", "put");
        assertThat(call(app, "ana")).isEqualTo("Ana");
        assertThat(effect(app).attributes()).containsEntry("cache.hit", true);
        scheduler.advance(Duration.ofSeconds(59));
        assertThat(call(app, "ana")).isEqualTo("Ana");
        app.record();
        scheduler.advance(Duration.ofSeconds(1));
        assertThat(call(app, "ana")).as("expired after its 60 s").isEqualTo("(none)");
        app.record();
        assertThat(cache.hitRatio("author_profile")).isEqualTo(0.5);
    }

    @Test
    void sleepIsATimerParkOfExactlyItsDuration() throws Exception {
        App app = app(ms -> Timer.sleep("cool_down", Duration.ofMillis(Long.parseLong(ms))));
        InProcess.Exchange ex = app.send("GET", "/e/150");
        app.scheduler.runUntilIdle();
        assertThat(app.scheduler.queued("effects")).isZero();
        assertThat(ex.answered()).as("the sleeping job holds no worker and no queue slot").isFalse();
        app.scheduler.advance(Duration.ofMillis(150));
        app.scheduler.runUntilIdle();
        assertThat(ex.response().status()).isEqualTo(200);
        JobRecord job = app.record().jobs().get(1);
        assertThat(job.parks()).singleElement().satisfies(p -> {
            assertThat(p.cause()).isEqualTo(ParkCause.TIMER);
            assertThat(p.token()).isEqualTo("cool_down");
            assertThat(p.resumeNanos() - p.parkNanos()).isEqualTo(150_000_000L);
        });
    }

    @Test
    void computeRunsWithinItsBudgetOrFails() throws Exception {
        App app = app(ms -> Compute.task("crunch", Duration.ofMillis(50), () -> {
            scheduler.manualClock().advance(Duration.ofMillis(Long.parseLong(ms)));
            return "crunched " + ms;
        }));
        assertThat(call(app, "20")).isEqualTo("crunched 20");
        EffectRecord fine = effect(app);
        assertThat(fine.kind()).isEqualTo("compute");
        assertThat(fine.attributes()).containsEntry("compute.duration_ms", 20.0);
        assertThat(call(app, "80")).isEqualTo("status 500");
        EffectRecord over = effect(app);
        assertThat(over.errorType()).isEqualTo("budget_exceeded");
        assertThat(over.errorMessage()).contains("took 80 ms, over its budget of 50 ms");
    }

    @Test
    void badEffectsFailWhenBuilt() {
        assertThatThrownBy(() -> Cache.get("bad namespace", "k")).hasMessageContaining("cache namespace");
        assertThatThrownBy(() -> Cache.get("ns", "")).hasMessageContaining("key");
        assertThatThrownBy(() -> Timer.sleep(Duration.ofMillis(-1))).hasMessageContaining("sleep duration");
        assertThatThrownBy(() -> Compute.task("c", Duration.ZERO, () -> 1)).hasMessageContaining("budget");
        assertThatThrownBy(() -> CacheEffects.builder().namespace("n", Duration.ZERO, 1))
                .hasMessageContaining("time to live");
    }
}
