package dev.zerver.otel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerver.spi.InboundRequest;
import dev.zerver.spi.EffectFailure;
import dev.zerver.telemetry.ParkCause;
import dev.zerver.telemetry.RequestRecord;
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

    /** A user's exporter that keeps what it receives. */
    static SpanExporter collectingInto(List<SpanData> received) {
        return new SpanExporter() {
            @Override
            public CompletableResultCode export(Collection<SpanData> spans) {
                received.addAll(spans);
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
        };
    }

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
        assertThat(db.getTotalRecordedEvents()).isEqualTo(140 + 1); // compact: 70 parks and the slot write
        assertThat(db.getAttributes().get(AttributeKey.longKey("zerver.events.dropped"))).isEqualTo(13L);
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
    void otlpAndConsoleTogetherBothReceiveEveryTrace() throws Exception {
        try (OtlpReceiver receiver = new OtlpReceiver(0)) {
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            ZerverOtel otel = ZerverOtel.builder().environment(Map.of("OTEL_TRACES_EXPORTER", "otlp,console",
                    "OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint(), "OTEL_METRICS_EXPORTER", "none"))
                    .console(new PrintStream(printed, true, StandardCharsets.UTF_8)).build();
            assertThat(otel.settings().describe()).containsEntry("OTEL_TRACES_EXPORTER", "otlp,console");
            Scenario s = new Scenario(Map.of());
            s.send("/posts/7");
            s.scheduler.runToCompletion();
            RequestRecord record = s.record();
            otel.onRequestFinished(record);
            assertThat(otel.flush().join(10, java.util.concurrent.TimeUnit.SECONDS).isSuccess()).isTrue();
            otel.close();
            assertThat(receiver.spans()).isNotEmpty();
            assertThat(printed.toString(StandardCharsets.UTF_8)).contains("GET /posts/{id} 200")
                    .contains(record.traceId());
        }
    }

    @Test
    void consoleMetricsPrintALinePerRoute() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        ZerverOtel otel = ZerverOtel.builder().environment(Map.of("OTEL_TRACES_EXPORTER", "none",
                "OTEL_METRICS_EXPORTER", "console", "OTEL_METRIC_EXPORT_INTERVAL", "600000"))
                .console(new PrintStream(printed, true, StandardCharsets.UTF_8)).build();
        Scenario s = new Scenario(Map.of());
        for (int i = 0; i < 3; i++) {
            s.send("/posts/7");
            s.scheduler.runToCompletion();
            otel.onRequestFinished(s.record());
        }
        s.scripts.put("post", Scenario.db(Script.failing(EffectFailure.infrastructure("io_error", "disk I/O error"))));
        s.send("/posts/7");
        s.scheduler.runToCompletion();
        otel.onRequestFinished(s.record());
        assertThat(otel.flush().join(10, java.util.concurrent.TimeUnit.SECONDS).isSuccess()).isTrue();
        otel.close();
        assertThat(printed.toString(StandardCharsets.UTF_8))
                .containsPattern("metrics /posts/\\{id\\} +4 requests +1 5xx  p50 <= \\d+  p95 <= \\d+  p99 <= \\d+ ms");
    }

    @Test
    void aTraceTheHeadDropsWithNoTailTriggerIsNeverQueued() throws Exception {
        List<SpanData> exported = new CopyOnWriteArrayList<>();
        ZerverOtel otel = ZerverOtel.builder().environment(Map.of(OtelSettings.SAMPLER, "head:0"))
                .exporter(collectingInto(exported)).build();
        Scenario s = new Scenario(Map.of(OtelSettings.SAMPLER, "head:0")); // the head decision is taken at the start
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
        String text = s.otel.timelineOf(s.record());
        assertThat(text).startsWith("GET /posts/{id} 200 in 8.000 ms  trace ");
        assertThat(text).contains("     0.000      8.000  http.server: GET /posts/{id}\n");
        assertThat(text).contains("     0.000      8.000      db.get posts  ok  queue 0.00 run 0.00 park 8.00\n");
        assertThat(text).contains("     0.000      8.000        job.park(backpressure) db_pool (1/1)  [promoted]\n");

        s.scripts.put("post", Scenario.db(Script.failing(EffectFailure.infrastructure("io_error", "down"))));
        s.send("/posts/7");
        s.scheduler.runToCompletion();
        assertThat(s.otel.timelineOf(s.record()))
                .contains("GET /posts/{id} 500 in")
                .contains("db.get posts  failed")
                .contains("[ERROR io_error]");
    }

    @Test
    void aContinuationThatNeedsAgainNamesTheFunctionThatRanAndTheOneItResumesWith() throws Exception {
        Scenario s = new Scenario(Map.of());
        InProcess.Exchange ex = s.send("/chain");
        s.scheduler.runToCompletion();
        assertThat(ex.response().bodyText()).isEqualTo("post-7[]");
        List<SpanData> trace = s.trace();
        List<SpanData> resumes = trace.stream().filter(sp -> sp.getName().equals("step.load_chain.resume")).toList();
        assertThat(resumes).hasSize(2);
        SpanData first = resumes.get(0);
        assertThat(first.getAttributes().get(AttributeKey.stringKey("zerver.resume.fn"))).isEqualTo("after_post");
        assertThat(first.getAttributes().get(AttributeKey.stringKey("zerver.step.decision"))).isEqualTo("Need");
        assertThat(first.getAttributes().get(AttributeKey.stringKey("zerver.step.resume"))).isEqualTo("after_comments");
        SpanData second = resumes.get(1);
        assertThat(second.getAttributes().get(AttributeKey.stringKey("zerver.resume.fn"))).isEqualTo("after_comments");
        assertThat(second.getAttributes().get(AttributeKey.stringKey("zerver.step.resume"))).isNull();
        SpanData step = span(trace, "step.load_chain");
        assertThat(step.getAttributes().get(AttributeKey.stringKey("zerver.step.resume"))).isEqualTo("after_post");
    }

    @Test
    void everySpanLiesWithinTheRoot() throws Exception {
        Scenario s = new Scenario(Map.of());
        // first_success answers at 2 ms with the mirror; the primary goes on until 10 ms, after the response
        s.scripts.put("primary", Scenario.http(Script.returning("[primary]")
                .park(ParkCause.IO_WAIT, "comments_primary", Duration.ofMillis(10)), 200));
        s.scripts.put("mirror", Scenario.http(Script.returning("[mirror]")
                .park(ParkCause.IO_WAIT, "comments_mirror", Duration.ofMillis(2)), 200));
        for (String uri : List.of("/posts/7", "/pages/7", "/chain", "/mirror")) {
            s.send(uri);
            s.scheduler.runToCompletion();
            List<SpanData> trace = s.trace();
            SpanData root = trace.get(0);
            assertThat(trace).as(uri).allSatisfy(sp -> {
                assertThat(sp.getStartEpochNanos()).isGreaterThanOrEqualTo(root.getStartEpochNanos());
                assertThat(sp.getEndEpochNanos()).isLessThanOrEqualTo(root.getEndEpochNanos());
            });
        }
    }

    @Test
    void aUserSuppliedSpanExporterReceivesEverySpanAsSpanData() throws Exception {
        List<SpanData> received = new CopyOnWriteArrayList<>();
        SpanExporter mine = collectingInto(received);
        Scenario s = new Scenario(Map.of());
        ZerverOtel otel = ZerverOtel.builder().environment(Map.of()).exporter(mine).build();
        int expected = 0;
        for (int i = 0; i < 5; i++) {
            s.send("/pages/" + i);
            s.scheduler.runToCompletion();
            dev.zerver.telemetry.RequestRecord record = s.record();
            expected += otel.spansOf(record).size();
            otel.onRequestFinished(record);
        }
        otel.flush().join(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(received).hasSize(expected);
        assertThat(received.stream().map(SpanData::getTraceId).distinct().count()).isEqualTo(5);
        assertThat(received).filteredOn(sp -> sp.getName().equals("http.get comments")).hasSize(5)
                .allSatisfy(sp -> assertThat(sp.getAttributes().get(AttributeKey.longKey("job.worker_id"))).isEqualTo(0L));
        assertThat(otel.exportedSpans()).isEqualTo(expected);
        assertThat(otel.exportedTraces()).isEqualTo(5);
        otel.close();
    }
}
