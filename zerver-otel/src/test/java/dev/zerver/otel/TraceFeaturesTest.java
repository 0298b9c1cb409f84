package dev.zerver.otel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerver.effects.EffectFailure;
import dev.zerver.otel.internal.ConsoleTimelineExporter;
import dev.zerver.otel.internal.OtlpJsonSpanExporter;
import dev.zerver.runtime.InboundRequest;
import dev.zerver.telemetry.ParkCause;
import dev.zerver.testing.InProcess;
import dev.zerver.testing.ScriptedEffects.Script;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Event cap, remote parents, unknown methods, sampling, the console timeline and export retries. */
class TraceFeaturesTest {

    private static SpanData span(List<SpanData> trace, String name) {
        return trace.stream().filter(s -> s.getName().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void aSpanCarriesAtMost128EventsAndCountsTheRest() throws Exception {
        Scenario s = new Scenario(Map.of());
        Script post = Script.returning("post-7");
        for (int i = 0; i < 70; i++) {
            post = post.park(ParkCause.IO_WAIT, "sqlite", Duration.ofMillis(1));
        }
        s.scripts.put("post", Scenario.db(post));
        s.send("/posts/7");
        s.scheduler.runToCompletion();
        SpanData db = span(s.trace(), "db.get posts");
        assertThat(db.getEvents()).hasSize(128);
        assertThat(db.getTotalRecordedEvents()).isEqualTo(3 + 140 + 1 + 1); // enqueued/taken/started, 70 parks, end, slot write
        assertThat(db.getAttributes().get(AttributeKey.longKey("zerver.events.dropped"))).isEqualTo(17L);
    }

    @Test
    void theRootIsParentedToAnIncomingTraceparent() throws Exception {
        Scenario s = new Scenario(Map.of());
        InProcess.send(s.app, InboundRequest.builder().uri("/posts/7")
                .header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").build());
        s.scheduler.runToCompletion();
        List<SpanData> trace = s.trace();
        SpanData root = span(trace, "http.server: GET /posts/{id}");
        assertThat(root.getTraceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(root.getParentSpanId()).isEqualTo("00f067aa0ba902b7");
        assertThat(root.getParentSpanContext().isRemote()).isTrue();
        assertThat(root.getAttributes().get(AttributeKey.stringKey("zerver.sampling.reason"))).isEqualTo("parent");
        assertThat(trace).allMatch(sp -> sp.getTraceId().equals("4bf92f3577b34da6a3ce929d0e0e4736"));
    }

    @Test
    void unknownMethodsAndUnmatchedPathsNameTheRootWithoutARoute() throws Exception {
        Scenario s = new Scenario(Map.of());
        InProcess.send(s.app, InboundRequest.builder().method("BREW").uri("/coffee").build());
        s.scheduler.runToCompletion();
        SpanData root = s.trace().get(0);
        assertThat(root.getName()).isEqualTo("http.server: _OTHER");
        assertThat(root.getAttributes().get(AttributeKey.stringKey("http.request.method"))).isEqualTo("_OTHER");
        assertThat(root.getAttributes().get(AttributeKey.stringKey("http.request.method_original"))).isEqualTo("BREW");

        s.send("/nowhere");
        s.scheduler.runToCompletion();
        assertThat(s.trace().get(0).getName()).isEqualTo("http.server: GET");
    }

    @Test
    void headDroppedTracesAreKeptByATailTrigger() throws Exception {
        Scenario s = new Scenario(Map.of(OtelSettings.SAMPLER, "head:0,tail:error"));
        s.send("/posts/7");
        s.scheduler.runToCompletion();
        assertThat(s.trace()).as("a healthy request is dropped by head:0").isNull();

        s.scripts.put("post", Scenario.db(Script.failing(EffectFailure.infrastructure("io_error", "down"))));
        s.send("/posts/7");
        s.scheduler.runToCompletion();
        List<SpanData> kept = s.trace();
        assertThat(kept).isNotNull();
        assertThat(kept.get(0).getAttributes().get(AttributeKey.stringKey("zerver.sampling.reason"))).isEqualTo("tail:error");
    }

    @Test
    void aTraceTheHeadDropsWithNoTailTriggerIsNeverQueued() throws Exception {
        List<SpanData> exported = new CopyOnWriteArrayList<>();
        ZerverOtel otel = ZerverOtel.builder().environment(Map.of(OtelSettings.SAMPLER, "head:0"))
                .exporter(new SpanExporter() {
                    @Override
                    public CompletableResultCode export(Collection<SpanData> spans) {
                        exported.addAll(spans);
                        return CompletableResultCode.ofSuccess();
                    }

                    @Override
                    public CompletableResultCode flush() {
                        return CompletableResultCode.ofSuccess();
                    }

                    @Override
                    public CompletableResultCode shutdown() {
                        return CompletableResultCode.ofSuccess();
                    }
                }).build();
        Scenario s = new Scenario(Map.of());
        s.send("/posts/7");
        s.scheduler.runToCompletion();
        otel.onRequestFinished(s.record());
        assertThat(otel.sampledOutTraces()).isEqualTo(1);
        assertThat(otel.queuedSpans()).isZero();
        otel.close();
        assertThat(exported).isEmpty();
    }

    @Test
    void aPromotionKeepsAHeadDroppedTraceWithTheTailTriggerPromoted() throws Exception {
        Scenario s = new Scenario(Map.of(OtelSettings.SAMPLER, "head:0,tail:promoted"));
        s.send("/posts/7");
        s.scheduler.runToCompletion();
        assertThat(s.trace()).as("no wait crossed a threshold").isNull();

        s.scripts.put("post", Scenario.db(Script.returning("post-7").park(ParkCause.IO_WAIT, "sqlite", Duration.ofMillis(9))));
        s.send("/posts/7");
        s.scheduler.runToCompletion();
        List<SpanData> kept = s.trace();
        assertThat(kept).isNotNull().anyMatch(sp -> sp.getName().equals("job.park(io_wait)"));
        assertThat(kept.get(0).getAttributes().get(AttributeKey.stringKey("zerver.sampling.reason"))).isEqualTo("tail:promoted");
    }

    @Test
    void theConsoleTimelineShowsOffsetsIndentationPromotionsAndErrors() throws Exception {
        Scenario s = new Scenario(Map.of());
        s.scripts.put("post", Scenario.db(Script.returning("post-7")
                .park(ParkCause.BACKPRESSURE, "db_pool", 1, 1, Duration.ofMillis(8))));
        s.send("/posts/7");
        s.scheduler.runToCompletion();
        String text = ConsoleTimelineExporter.render(s.trace());
        assertThat(text).startsWith("GET /posts/{id} 200 in 8.000 ms  trace ");
        assertThat(text).contains("     0.000      8.000  http.server: GET /posts/{id}\n");
        assertThat(text).contains("     0.000      8.000      db.get posts  ok  queue 0.00 run 0.00 park 8.00\n");
        assertThat(text).contains("     0.000      8.000        job.park(backpressure) db_pool (1/1)  [promoted]\n");

        s.scripts.put("post", Scenario.db(Script.failing(EffectFailure.infrastructure("io_error", "down"))));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ConsoleTimelineExporter console = new ConsoleTimelineExporter(new PrintStream(out, true, StandardCharsets.UTF_8));
        s.send("/posts/7");
        s.scheduler.runToCompletion();
        console.export(s.trace());
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("GET /posts/{id} 500 in")
                .contains("db.get posts  failed")
                .contains("[ERROR io_error]");
    }

    @Test
    void theJsonExporterHonoursRetryAfterAndGivesUpOnNonRetryableStatus() throws Exception {
        try (OtlpReceiver receiver = new OtlpReceiver(0)) {
            List<Duration> waits = new CopyOnWriteArrayList<>();
            OtlpJsonSpanExporter exporter = new OtlpJsonSpanExporter(receiver.endpoint() + "/v1/traces", Map.of(), false,
                    Duration.ofSeconds(30), waits::add);
            Scenario s = new Scenario(Map.of());
            s.send("/posts/7");
            s.scheduler.runToCompletion();
            List<SpanData> trace = s.trace();

            receiver.failNext.set(2);
            receiver.retryAfter = "7";
            assertThat(exporter.export(trace).isSuccess()).isTrue();
            assertThat(waits).containsExactly(Duration.ofSeconds(7), Duration.ofSeconds(7));
            assertThat(receiver.spans()).hasSize(trace.size());

            waits.clear();
            receiver.failNext.set(1);
            receiver.failStatus = 400; // not retryable
            assertThat(exporter.export(trace).isSuccess()).isFalse();
            assertThat(waits).isEmpty();

            receiver.failNext.set(10);
            receiver.failStatus = 429;
            receiver.retryAfter = null; // exponential backoff: about 1 s, then x1.5, with jitter
            assertThat(exporter.export(trace).isSuccess()).isFalse();
            assertThat(waits).hasSize(4);
            assertThat(waits.get(0)).isBetween(Duration.ofMillis(800), Duration.ofMillis(1200));
            assertThat(waits.get(1)).isBetween(Duration.ofMillis(1200), Duration.ofMillis(1800));
        }
    }
}
