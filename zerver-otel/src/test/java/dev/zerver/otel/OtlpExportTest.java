package dev.zerver.otel;

import static dev.zerver.otel.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.zerver.Decision;
import dev.zerver.Join;
import dev.zerver.Need;
import dev.zerver.Response;
import dev.zerver.Slot;
import dev.zerver.Step;
import dev.zerver.Zerver;
import dev.zerver.effects.http.Http;
import dev.zerver.effects.http.HttpEffects;
import io.opentelemetry.proto.trace.v1.Span;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * End to end: a real server and real HTTP effects, OTLP export to a receiver in the test that
 * decodes the wire bytes with the official protobuf classes.
 */
class OtlpExportTest {
    static final Slot<String> COMMENTS = Slot.of("comments", String.class);

    private HttpServer peer;
    private final List<String> traceparents = new CopyOnWriteArrayList<>();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Zerver app;
    private ZerverOtel otel;

    @BeforeEach
    void startPeer() throws Exception {
        peer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        peer.createContext("/comments", ex -> {
            traceparents.add(ex.getRequestHeaders().getFirst("traceparent"));
            byte[] body = "[\"nice post\"]".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        peer.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        peer.start();
    }

    @AfterEach
    void stop() {
        if (app != null) {
            app.stop(Duration.ofSeconds(2));
        }
        peer.stop(0);
    }

    private void startApp(Map<String, String> otelEnv) {
        otel = ZerverOtel.builder().environment(otelEnv).settings(s -> s.serviceName("otlp-test")).build();
        String peerUrl = "http://127.0.0.1:" + peer.getAddress().getPort();
        Step load = Step.named("load_post").writes(COMMENTS).run(ctx -> Need.parallel(
                        Http.get(peerUrl + "/comments?post=" + ctx.param("id") + "&token=s3cret", "comments").into(COMMENTS))
                .join(Join.ALL));
        Step render = Step.named("render_post").reads(COMMENTS).run(ctx ->
                Decision.done(Response.text(ctx.require(COMMENTS))));
        app = Zerver.builder()
                .environment(Map.of("ZER_VER_PORT", "0"))
                .effectHandler(HttpEffects.builder().build())
                .listener(otel)
                .get("/posts/{id}", load, render)
                .build()
                .start();
    }

    private List<HttpResponse<String>> concurrentRequests(int n) throws Exception {
        List<CompletableFuture<HttpResponse<String>>> futures = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            futures.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + "/posts/" + i))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        List<HttpResponse<String>> out = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> f : futures) {
            out.add(f.get(15, TimeUnit.SECONDS));
        }
        return out;
    }

    private void assertEveryTraceArrivedWhole(OtlpReceiver receiver, int requests) throws Exception {
        // A request's record reaches the listener just after its response: wait for all of them.
        eventually(() -> receiver.spans().stream().map(s -> s.getTraceId()).distinct().count() == requests
                && otel.queuedSpans() == 0 && receiver.spans().size() == otel.exportedSpans(), "every trace to arrive");
        assertThat(otel.droppedSpans()).isZero();
        List<Span> spans = receiver.spans();
        Map<String, List<Span>> traces = spans.stream()
                .collect(Collectors.groupingBy(s -> OtlpReceiver.hex(s.getTraceId())));
        assertThat(traces).hasSize(requests);
        Set<String> effectSpanIds = new HashSet<>();
        for (List<Span> trace : traces.values()) {
            Map<String, Span> byId = new HashMap<>();
            trace.forEach(s -> byId.put(OtlpReceiver.hex(s.getSpanId()), s));
            List<Span> roots = trace.stream().filter(s -> s.getParentSpanId().isEmpty()).collect(Collectors.toList());
            assertThat(roots).hasSize(1);
            assertThat(roots.get(0).getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
            assertThat(roots.get(0).getName()).isEqualTo("http.server: GET /posts/{id}");
            for (Span s : trace) {
                if (!s.getParentSpanId().isEmpty()) {
                    assertThat(byId).as("parent of %s", s.getName()).containsKey(OtlpReceiver.hex(s.getParentSpanId()));
                }
            }
            Span effect = trace.stream().filter(s -> s.getName().equals("http.get comments")).findFirst().orElseThrow();
            assertThat(effect.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_CLIENT);
            assertThat(byId.get(OtlpReceiver.hex(effect.getParentSpanId())).getName()).isEqualTo("step.load_post");
            assertThat(effect.getAttributesList()).anySatisfy(a -> {
                assertThat(a.getKey()).isEqualTo("url.full");
                assertThat(a.getValue().getStringValue()).contains("token=REDACTED").doesNotContain("s3cret");
            });
            assertThat(trace).extracting(Span::getName).contains("step.route_match", "step.load_post.resume", "step.render_post");
            effectSpanIds.add(OtlpReceiver.hex(effect.getTraceId()) + "-" + OtlpReceiver.hex(effect.getSpanId()));
        }
        // The traceparent each peer call carried names the effect span of the same trace.
        Set<String> sent = traceparents.stream().map(tp -> tp.substring(3, 52)).collect(Collectors.toSet());
        assertThat(sent).isEqualTo(effectSpanIds);
        assertThat(receiver.requests.get(0).getResourceSpans(0).getResource().getAttributesList())
                .anySatisfy(a -> {
                    assertThat(a.getKey()).isEqualTo("service.name");
                    assertThat(a.getValue().getStringValue()).isEqualTo("otlp-test");
                });
    }

    /** 20 concurrent requests exported to {@code receiver} with these settings arrive whole, as {@code contentType}. */
    private void twentyRequestsArriveWhole(OtlpReceiver receiver, String contentType, String... settings) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint(),
                "OTEL_BSP_SCHEDULE_DELAY", "50"));
        for (int i = 0; i < settings.length; i += 2) {
            env.put(settings[i], settings[i + 1]);
        }
        startApp(env);
        assertThat(concurrentRequests(20)).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(200));
        assertEveryTraceArrivedWhole(receiver, 20);
        assertThat(receiver.contentTypes).allMatch(t -> t.equals(contentType));
    }

    @Test
    void httpProtobufDeliversEverySpanCorrectlyParented() throws Exception {
        try (OtlpReceiver receiver = new OtlpReceiver(0)) {
            receiver.failNext.set(1); // the first export is refused with 503 and Retry-After: the SDK retries it
            twentyRequestsArriveWhole(receiver, "application/x-protobuf");
        }
    }

    @Test
    void httpJsonDeliversEverySpanCorrectlyParented() throws Exception {
        try (OtlpReceiver receiver = new OtlpReceiver(0)) {
            receiver.failNext.set(1); // the first export is refused with 503: the exporter retries it
            twentyRequestsArriveWhole(receiver, "application/json",
                    "OTEL_EXPORTER_OTLP_PROTOCOL", "http/json", "OTEL_EXPORTER_OTLP_COMPRESSION", "gzip");
        }
    }

    @Test
    void grpcDeliversEverySpanCorrectlyParented() throws Exception {
        try (OtlpReceiver receiver = OtlpReceiver.grpc()) {
            twentyRequestsArriveWhole(receiver, "grpc",
                    "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc", "OTEL_EXPORTER_OTLP_COMPRESSION", "gzip");
        }
    }

    @Test
    void collectorDownCostsBoundedMemoryAndExportResumesWhenItReturns() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // nothing listens here until the receiver starts
        }
        startApp(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + port, "OTEL_BSP_SCHEDULE_DELAY", "20",
                "OTEL_BSP_MAX_QUEUE_SIZE", "40", "OTEL_BSP_EXPORT_TIMEOUT", "1000", "OTEL_EXPORTER_OTLP_TIMEOUT", "500"));
        int maxQueued = 0;
        for (int round = 0; round < 10; round++) {
            assertThat(concurrentRequests(20)).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(200));
            maxQueued = Math.max(maxQueued, otel.queuedSpans());
        }
        assertThat(maxQueued).isLessThanOrEqualTo(40);
        // What was queued or in flight while the collector was down is given up after its retries.
        eventually(() -> otel.queuedSpans() == 0, "the queue to drain");
        otel.flush().join(10, TimeUnit.SECONDS);
        assertThat(otel.droppedSpans()).isPositive();
        long droppedWhileDown = otel.droppedSpans();

        try (OtlpReceiver receiver = new OtlpReceiver(port)) {
            eventually(() -> otel.queuedSpans() == 0, "the queue to drain into the returned collector");
            List<HttpResponse<String>> after = concurrentRequests(5);
            Set<String> traceIds = after.stream().map(r -> r.headers().firstValue("x-request-id").orElseThrow())
                    .collect(Collectors.toSet());
            otel.flush();
            eventually(() -> receiver.spans().stream().map(s -> OtlpReceiver.hex(s.getTraceId()))
                    .collect(Collectors.toSet()).containsAll(traceIds), "traces sent after the collector came back");
            assertThat(otel.droppedSpans()).isEqualTo(droppedWhileDown);
            // Nothing unaccounted for: every one of the 205 traces was delivered or counted as lost, the
            // delivered spans are exactly those the collector decoded, and each lost trace counts its
            // spans (six, plus any promoted wait under this load).
            otel.flush().join(10, TimeUnit.SECONDS);
            assertThat(otel.exportedTraces() + otel.droppedTraces()).isEqualTo(205);
            assertThat(otel.exportedSpans()).isEqualTo(receiver.spans().size());
            assertThat(receiver.spans().stream().map(sp -> OtlpReceiver.hex(sp.getTraceId())).distinct().count())
                    .isEqualTo(otel.exportedTraces());
            assertThat(otel.droppedSpans()).isGreaterThanOrEqualTo(otel.droppedTraces() * 6);
        }
    }
}
