package dev.zerver.otel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerver.Decision;
import dev.zerver.EffectKind;
import dev.zerver.Join;
import dev.zerver.Need;
import dev.zerver.Response;
import dev.zerver.RetryPolicy;
import dev.zerver.Slot;
import dev.zerver.Step;
import dev.zerver.Zerver;
import dev.zerver.spi.EffectFailure;
import dev.zerver.telemetry.ParkCause;
import dev.zerver.testing.ScriptedEffects;
import dev.zerver.testing.ScriptedEffects.Script;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Metric;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Metrics end to end: a real server, requests over HTTP, OTLP metrics and traces to a real
 * receiver that decodes them with the official classes. Every instrument of the trace model's
 * metrics section arrives with its unit, type and attributes, and every exemplar points at a trace
 * that was exported ({@code head:0.1,tail:error}); over each OTLP protocol.
 */
class MetricsExportTest {
    static final Slot<String> POST = Slot.of("post", String.class);
    static final Slot<String> AUTHOR = Slot.of("author", String.class);
    static final String SAMPLED_TRACE = "4bf92f3577b34da6a3ce929d0e0e473";

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http/protobuf", "grpc", "http/json"})
    void everyInstrumentArrivesAndExemplarsPointOnlyAtExportedTraces(String protocol) throws Exception {
        try (OtlpReceiver receiver = protocol.equals("grpc") ? OtlpReceiver.grpc() : new OtlpReceiver(0)) {
            ZerverOtel otel = ZerverOtel.builder().environment(Map.of(
                    "OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint(),
                    "OTEL_EXPORTER_OTLP_PROTOCOL", protocol,
                    "OTEL_METRICS_EXPORTER", "otlp",
                    "OTEL_METRIC_EXPORT_INTERVAL", "600000",
                    "OTEL_BSP_SCHEDULE_DELAY", "50",
                    "ZER_VER_SAMPLER", "head:0.1,tail:error")).build();
            Script post = Script.returning("post").park(ParkCause.IO_WAIT, "sqlite", Duration.ofMillis(1));
            Script author = Script.returning("ana").attribute("cache.hit", true);
            Script flaky = Script.returning("ok").failFirst(1, EffectFailure.infrastructure("io_error", "reset"));
            Script broken = Script.failing(EffectFailure.infrastructure("io_error", "disk I/O error"));
            Step page = Step.named("load_page").writes(POST, AUTHOR).run(ctx -> Need.parallel(
                            ScriptedEffects.effect(EffectKind.DB, "get", "posts", post).into(POST),
                            ScriptedEffects.effect(EffectKind.CACHE, "get", "author_profile", author).into(AUTHOR),
                            ScriptedEffects.effect(EffectKind.HTTP, "get", "comments", flaky)
                                    .retry(RetryPolicy.attempts(2).backoff(Duration.ofMillis(1))).optional())
                    .join(Join.ALL)
                    .continueWith("render", k -> Decision.done(Response.text(k.require(POST) + k.require(AUTHOR)))));
            Step fail = Step.named("load_broken").writes(POST).run(ctx -> Need.of(
                    ScriptedEffects.effect(EffectKind.DB, "get", "archive", broken).into(POST))); // its own breaker
            Zerver app = Zerver.builder().environment(Map.of()).port(0).effectHandler(new ScriptedEffects()).listener(otel)
                    .get("/pages/{id}", page).get("/broken", fail).build().start();
            HttpClient client = HttpClient.newHttpClient();
            try {
                for (int i = 0; i < 60; i++) {
                    assertThat(get(client, app, "/pages/" + i)).isEqualTo(200);
                }
                for (int i = 0; i < 5; i++) {
                    assertThat(get(client, app, "/broken")).isEqualTo(500);
                }
                for (int i = 0; i < 3; i++) { // a sampled caller: kept whatever the ratio, so exemplars exist
                    assertThat(client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/pages/x"))
                            .header("traceparent", "00-" + SAMPLED_TRACE + i + "-00f067aa0ba902b7-01")
                            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                            .isEqualTo(200);
                }
            } finally {
                app.stop(Duration.ofSeconds(5)); // closes otel: traces and metrics exported
            }

            assertThat(receiver.metricContentTypes).isNotEmpty().allMatch(type -> type.startsWith(
                    Map.of("grpc", "grpc", "http/json", "application/json").getOrDefault(protocol, "application/x-protobuf")));
            Map<String, List<Metric>> metrics = receiver.metrics();
            assertThat(metrics.keySet()).contains("http.server.request.duration", "http.server.duration_ms",
                    "zerver.step.duration_ms", "zerver.effect.duration_ms", "zerver.job.queue_wait_ms",
                    "zerver.job.dispatch_ms", "zerver.job.run_active_ms", "zerver.job.park_wait_ms",
                    "zerver.job.depth", "zerver.job.retries_total", "cache.hit_ratio");
            Metric duration = metrics.get("http.server.request.duration").get(0);
            assertThat(duration.getUnit()).isEqualTo("s");
            assertThat(duration.hasHistogram()).isTrue();
            assertThat(keys(duration.getHistogram().getDataPoints(0).getAttributesList()))
                    .contains("http.request.method", "http.route", "http.response.status_code", "url.scheme");
            long requests = metrics.get("http.server.request.duration").stream()
                    .flatMap(m -> m.getHistogram().getDataPointsList().stream()).mapToLong(p -> p.getCount()).sum();
            assertThat(requests).as("every request counted, sampled or not").isEqualTo(68);
            assertThat(metrics.get("zerver.job.park_wait_ms").get(0).getUnit()).isEqualTo("ms");
            assertThat(keys(metrics.get("zerver.job.park_wait_ms").get(0).getHistogram().getDataPoints(0).getAttributesList()))
                    .containsExactlyInAnyOrder("queue", "route", "job.type", "cause");
            assertThat(keys(metrics.get("zerver.effect.duration_ms").get(0).getHistogram().getDataPoints(0).getAttributesList()))
                    .containsExactlyInAnyOrder("effect.kind", "operation", "required", "success");
            assertThat(metrics.get("zerver.job.depth").get(0).hasGauge()).isTrue();
            assertThat(metrics.get("zerver.job.retries_total").get(0).hasSum()).isTrue();
            assertThat(metrics.get("zerver.job.retries_total").get(0).getSum().getDataPoints(0).getAsInt()).isEqualTo(63);
            assertThat(metrics.get("cache.hit_ratio").get(0).getGauge().getDataPoints(0).getAsDouble()).isEqualTo(1.0);

            Set<String> exportedTraces = receiver.spans().stream()
                    .map(s -> HexFormat.of().formatHex(s.getTraceId().toByteArray())).collect(Collectors.toSet());
            Set<String> exemplarTraces = new HashSet<>();
            metrics.values().stream().flatMap(List::stream).filter(Metric::hasHistogram)
                    .flatMap(m -> m.getHistogram().getDataPointsList().stream())
                    .flatMap(p -> p.getExemplarsList().stream())
                    .forEach(e -> exemplarTraces.add(HexFormat.of().formatHex(e.getTraceId().toByteArray())));
            Set<String> withExemplars = metrics.entrySet().stream()
                    .filter(m -> m.getValue().stream().filter(Metric::hasHistogram)
                            .flatMap(x -> x.getHistogram().getDataPointsList().stream()).anyMatch(p -> p.getExemplarsCount() > 0))
                    .map(Map.Entry::getKey).collect(Collectors.toSet());
            assertThat(withExemplars).as("exemplars on the request and park histograms only")
                    .contains("http.server.request.duration", "http.server.duration_ms")
                    .isSubsetOf("http.server.request.duration", "http.server.duration_ms", "zerver.job.park_wait_ms");
            assertThat(exportedTraces).as("the 5 failures at least were kept").hasSizeGreaterThanOrEqualTo(5);
            assertThat(exemplarTraces).isNotEmpty();
            assertThat(exportedTraces).containsAll(exemplarTraces);
        }
    }

    /**
     * The export thread records the metrics of the requests queued for export: a flush drains the
     * queue first, so every request is in the metrics it exports, though the schedule delay has
     * not passed.
     */
    @org.junit.jupiter.api.Test
    void flushExportsTheMetricsOfRequestsStillQueuedForExport() throws Exception {
        try (OtlpReceiver receiver = new OtlpReceiver(0)) {
            ZerverOtel otel = ZerverOtel.builder().environment(Map.of(
                    "OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint(),
                    "OTEL_METRIC_EXPORT_INTERVAL", "600000",
                    "OTEL_BSP_SCHEDULE_DELAY", "600000")).build();
            Zerver app = helloApp(otel);
            try {
                getHello(app, 10);
                assertThat(otel.flush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();
                long requests = countOverExports(receiver, "http.server.request.duration");
                assertThat(requests).isEqualTo(10);
            } finally {
                app.stop(Duration.ofSeconds(5));
            }
        }
    }

    /**
     * Traces off, metrics on: every request's metrics are recorded, and stopping the application
     * exports them all.
     */
    @org.junit.jupiter.api.Test
    void withTracesOffStoppingExportsTheMetricsOfEveryRequest() throws Exception {
        try (OtlpReceiver receiver = new OtlpReceiver(0)) {
            ZerverOtel otel = ZerverOtel.builder().environment(Map.of(
                    "OTEL_TRACES_EXPORTER", "none",
                    "OTEL_METRICS_EXPORTER", "otlp",
                    "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", receiver.endpoint() + "/v1/metrics",
                    "OTEL_METRIC_EXPORT_INTERVAL", "600000")).build();
            Zerver app = helloApp(otel);
            getHello(app, 25);
            app.stop(Duration.ofSeconds(5)); // flushes, then exports a last time on close (cumulative counts)
            assertThat(lastCount(receiver, "http.server.request.duration")).isEqualTo(25);
        }
    }

    /**
     * A collector that takes trace posts and never answers them: at shutdown the exporter gives up
     * after the export timeout, and every request still queued for export is counted as dropped
     * and has its metrics recorded (they go out with the last metrics export), none is lost.
     */
    @org.junit.jupiter.api.Test
    void atShutdownRequestsStillQueuedBehindAStalledCollectorAreCountedAndKeepTheirMetrics() throws Exception {
        try (OtlpReceiver receiver = new OtlpReceiver(0); StalledCollector stalled = new StalledCollector()) {
            ZerverOtel otel = ZerverOtel.builder().environment(Map.of(
                    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://127.0.0.1:" + stalled.port() + "/v1/traces",
                    "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", receiver.endpoint() + "/v1/metrics",
                    "OTEL_EXPORTER_OTLP_TIMEOUT", "300",
                    "OTEL_BSP_EXPORT_TIMEOUT", "300",
                    "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "2",
                    "OTEL_METRIC_EXPORT_INTERVAL", "600000",
                    "OTEL_BSP_SCHEDULE_DELAY", "600000")).build();
            Zerver app = helloApp(otel);
            getHello(app, 40);
            List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
            java.util.logging.Logger exportLog = java.util.logging.Logger.getLogger(
                    "dev.zerver.otel.internal.ExportQueue");
            java.util.logging.Handler capture = new java.util.logging.Handler() {
                @Override
                public void publish(java.util.logging.LogRecord r) {
                    warnings.add(r.getMessage());
                }

                @Override
                public void flush() {}

                @Override
                public void close() {}
            };
            exportLog.addHandler(capture);
            try {
                app.stop(Duration.ofSeconds(5)); // closes the listener: export (given up), then metrics
            } finally {
                exportLog.removeHandler(capture);
            }
            assertThat(otel.droppedTraces()).as("traces counted as not exported").isEqualTo(40);
            assertThat(warnings).as("the log's last word on it").isNotEmpty();
            assertThat(warnings.get(warnings.size() - 1)).contains("(40 traces, ");
            long requests = countOverExports(receiver, "http.server.request.duration");
            assertThat(requests).as("requests in the last metrics export").isEqualTo(40);
        }
    }

    /** The count of a histogram in the last export that carried it (counts are cumulative). */
    private static long lastCount(OtlpReceiver receiver, String name) {
        List<Metric> exports = receiver.metrics().getOrDefault(name, List.of());
        assertThat(exports).as(name).isNotEmpty();
        return exports.get(exports.size() - 1).getHistogram().getDataPointsList().stream().mapToLong(p -> p.getCount()).sum();
    }

    /** The count of a histogram summed over every export that carried it. */
    private static long countOverExports(OtlpReceiver receiver, String name) {
        return receiver.metrics().getOrDefault(name, List.of()).stream()
                .flatMap(m -> m.getHistogram().getDataPointsList().stream()).mapToLong(p -> p.getCount()).sum();
    }

    /** An application answering {@code GET /hello} with one step, recorded by {@code otel}. */
    private static Zerver helloApp(ZerverOtel otel) {
        return Zerver.builder().environment(Map.of()).port(0).listener(otel)
                .get("/hello", Step.named("hello").run(ctx -> Decision.done(Response.text("hi")))).build().start();
    }

    /** {@code count} requests to {@code /hello}, each answered 200. */
    private static void getHello(Zerver app, int count) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        for (int i = 0; i < count; i++) {
            assertThat(get(client, app, "/hello")).isEqualTo(200);
        }
    }

    private static int get(HttpClient client, Zerver app, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private static List<String> keys(List<KeyValue> attributes) {
        return attributes.stream().map(KeyValue::getKey).toList();
    }
}
