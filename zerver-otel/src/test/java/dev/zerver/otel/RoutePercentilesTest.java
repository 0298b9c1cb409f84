package dev.zerver.otel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerver.Decision;
import dev.zerver.EffectKind;
import dev.zerver.Need;
import dev.zerver.Response;
import dev.zerver.Slot;
import dev.zerver.Step;
import dev.zerver.Zerver;
import dev.zerver.spi.InboundRequest;
import dev.zerver.telemetry.ParkCause;
import dev.zerver.testing.InProcess;
import dev.zerver.testing.ManualScheduler;
import dev.zerver.testing.ScriptedEffects;
import dev.zerver.testing.ScriptedEffects.Script;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Route percentiles on the deterministic runtime: {@code p99} promotion thresholds and the
 * {@code p99} tail trigger, the 5 ms fallback before a route has 100 samples, and the window
 * sliding on the manual clock. Each request's one effect parks as long as its path says.
 */
class RoutePercentilesTest {
    static final Slot<String> OUT = Slot.of("out", String.class);

    private final ManualScheduler scheduler = new ManualScheduler();
    private final List<SpanData> received = new CopyOnWriteArrayList<>();
    private final Map<Long, Script> scripts = new ConcurrentHashMap<>();
    private ZerverOtel otel;
    private Zerver app;

    private void start(Map<String, String> env) {
        Map<String, String> all = new HashMap<>(env);
        all.putIfAbsent("ZER_VER_PROMOTE_QUEUE_MS", "1000");
        otel = ZerverOtel.builder().environment(all).exporter(TraceFeaturesTest.collectingInto(received)).build();
        Step call = Step.named("call").writes(OUT).run(ctx -> {
            Script s = scripts.computeIfAbsent(Long.parseLong(ctx.param("ms")),
                    ms -> Script.returning("ok").park(ParkCause.IO_WAIT, "peer", Duration.ofMillis(ms)));
            return Need.of(ScriptedEffects.effect(EffectKind.HTTP, "get", "peer", s).into(OUT))
                    .continueWith("show", k -> Decision.done(Response.text(k.require(OUT))));
        });
        app = Zerver.builder().environment(Map.of()).scheduling(scheduler).effectHandler(new ScriptedEffects())
                .listener(otel).get("/call/{ms}", call).build();
    }

    @AfterEach
    void stop() {
        if (otel != null) {
            otel.close();
        }
    }

    /** One request whose effect parks {@code ms}; the spans exported for it (empty when sampling dropped it). */
    private List<SpanData> call(long ms) {
        received.clear();
        InProcess.Exchange ex = InProcess.send(app, InboundRequest.builder().method("GET").uri("/call/" + ms).build());
        scheduler.runToCompletion();
        assertThat(ex.response().status()).isEqualTo(200);
        assertThat(otel.flush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
        return new ArrayList<>(received);
    }

    private static boolean parkPromoted(List<SpanData> trace) {
        return trace.stream().anyMatch(s -> s.getName().equals("job.park(io_wait)"));
    }

    private static String reason(List<SpanData> trace) {
        return trace.stream().filter(s -> s.getParentSpanContext().isValid() == false).findFirst().orElseThrow()
                .getAttributes().asMap().entrySet().stream().filter(e -> e.getKey().getKey().equals("zerver.sampling.reason"))
                .map(e -> String.valueOf(e.getValue())).findFirst().orElse(null);
    }

    @Test
    void p99ThresholdsFallBackTo5msThenFollowTheRouteAndTheWindowSlides() {
        start(Map.of("ZER_VER_PROMOTE_PARK_MS", "p99"));
        assertThat(parkPromoted(call(8))).as("8 ms before 100 samples: over the 5 ms fallback").isTrue();
        assertThat(parkPromoted(call(3))).as("3 ms: under the fallback").isFalse();
        for (int i = 0; i < 100; i++) {
            call(20);
        }
        assertThat(parkPromoted(call(30))).as("30 ms: over the route's p99 (about 20 ms)").isTrue();
        assertThat(parkPromoted(call(10))).as("10 ms: over 5 ms but under the route's p99").isFalse();

        scheduler.advance(Duration.ofSeconds(61)); // past the 60 s window: the 20 ms samples stop counting
        assertThat(parkPromoted(call(8))).as("8 ms: the fallback again").isTrue();
    }

    @Test
    void theP99TailTriggerKeepsOnlyTheSlowOnesOnceTheRouteIsWarm() {
        start(Map.of("ZER_VER_SAMPLER", "head:0,tail:p99", "ZER_VER_PROMOTE_PARK_MS", "1000"));
        for (int i = 0; i < 100; i++) {
            assertThat(call(20)).as("no percentile yet: nothing kept").isEmpty();
        }
        List<SpanData> slow = call(40);
        assertThat(slow).isNotEmpty();
        assertThat(reason(slow)).isEqualTo("tail:p99");
        assertThat(call(15)).as("under the p99").isEmpty();
    }
}
