package dev.zerver.otel.viewer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.util.JsonFormat;
import dev.zerver.config.ConfigException;
import dev.zerver.otel.Scenario;
import dev.zerver.spi.InboundRequest;
import dev.zerver.telemetry.ParkCause;
import dev.zerver.testing.InProcess;
import dev.zerver.testing.ScriptedEffects.Script;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The trace viewer on the deterministic runtime (manual clock, so durations and the sentence are
 * exact), read over real HTTP on loopback: what it lists, how it lays out and explains a trace,
 * its download, its bounds, its refusals, and that no secret reaches it.
 */
class TraceViewerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newHttpClient();
    private Scenario scenario;

    private Scenario start(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(extra);
        env.put(ViewerSettings.PORT, "0");
        scenario = new Scenario(env);
        return scenario;
    }

    @AfterEach
    void stop() {
        if (scenario != null) {
            scenario.otel.close();
        }
    }

    private TraceViewer viewer() {
        return scenario.otel.viewer().orElseThrow();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(viewer().uri().resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode getJson(String path) throws Exception {
        HttpResponse<String> r = get(path);
        assertThat(r.statusCode()).as(path).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        return JSON.readTree(r.body());
    }

    private void parkHeavyRequest() {
        scenario.scripts.put("post", Scenario.db(Script.returning("post-7")
                .park(ParkCause.BACKPRESSURE, "db_pool", 1, 1, Duration.ofMillis(8))
                .park(ParkCause.IO_WAIT, "sqlite", Duration.ofMillis(6))
                .park(ParkCause.IO_WAIT, "sqlite", Duration.ofMillis(2))));
        InProcess.Exchange ex = scenario.send("/posts/7");
        scenario.scheduler.runToCompletion();
        assertThat(ex.response().status()).isEqualTo(200);
    }

    @Test
    void listsRequestsAndExplainsTheParkHeavyTrace() throws Exception {
        start(Map.of());
        parkHeavyRequest();

        JsonNode listed = getJson("/api/requests").get("requests");
        assertThat(listed).hasSize(1);
        JsonNode r = listed.get(0);
        assertThat(r.get("route").asText()).isEqualTo("/posts/{id}");
        assertThat(r.get("status").asInt()).isEqualTo(200);
        assertThat(r.get("durationMs").asDouble()).isEqualTo(16.0);
        assertThat(r.get("promoted").asBoolean()).isTrue();
        assertThat(r.get("error").asBoolean()).isFalse();
        assertThat(r.get("sampling").asText()).isEqualTo("head");

        String traceId = r.get("traceId").asText();
        JsonNode trace = getJson("/api/traces/" + traceId);
        assertThat(trace.get("summary").asText()).isEqualTo(
                "16 of 16 ms waiting: 8.0 ms parked on backpressure for db_pool (1/1), 8.0 ms parked on io_wait for sqlite.");
        List<String> labels = new ArrayList<>();
        trace.get("spans").forEach(s -> labels.add("  ".repeat(s.get("depth").asInt()) + s.get("label").asText()));
        assertThat(labels).containsExactly(
                "http.server: GET /posts/{id}",
                "  step.route_match",
                "  step.request_log",
                "  step.auth",
                "  step.load_post",
                "    db.get posts",
                "      job.park(backpressure) db_pool (1/1)",
                "      job.park(io_wait) sqlite",
                "  step.load_post.resume",
                "  step.render_post");
        JsonNode effect = trace.get("spans").get(5);
        List<String> segments = new ArrayList<>();
        effect.get("segments").forEach(g -> segments.add(g.get("kind").asText() + (g.get("cause").isNull() ? "" : ":"
                + g.get("cause").asText()) + " " + g.get("startMs").asDouble() + ".." + g.get("endMs").asDouble()));
        assertThat(segments).containsExactly("queue 0.0..0.0", "dispatch 0.0..0.0", "park:backpressure 0.0..8.0",
                "park:io_wait 8.0..14.0", "park:io_wait 14.0..16.0");
        assertThat(trace.get("spans").get(6).get("promoted").asBoolean()).isTrue();
        assertThat(effect.get("attributes").get("job.park_count").asLong()).isEqualTo(3);
    }

    @Test
    void downloadDecodesAsOtlpWithTheSameSpans() throws Exception {
        start(Map.of());
        parkHeavyRequest();
        String traceId = getJson("/api/requests").get("requests").get(0).get("traceId").asText();
        HttpResponse<String> download = get("/api/traces/" + traceId + "/otlp.json");
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.headers().firstValue("content-disposition")).hasValueSatisfying(v -> v.contains("attachment"));
        ExportTraceServiceRequest.Builder decoded = ExportTraceServiceRequest.newBuilder();
        JsonFormat.parser().merge(download.body(), decoded);
        List<String> names = new ArrayList<>();
        decoded.getResourceSpansList().forEach(rs -> rs.getScopeSpansList().forEach(ss -> ss.getSpansList()
                .forEach(s -> names.add(s.getName()))));
        assertThat(names).hasSize(10).contains("job.park(backpressure)", "db.get posts", "http.server: GET /posts/{id}");
    }

    @Test
    void filtersByRouteStatusAndDuration() throws Exception {
        start(Map.of());
        parkHeavyRequest(); // 16 ms, 200
        InProcess.Exchange missing = scenario.send("/nowhere");
        scenario.scheduler.runToCompletion();
        assertThat(missing.response().status()).isEqualTo(404);

        assertThat(getJson("/api/requests").get("requests")).hasSize(2);
        assertThat(getJson("/api/requests?status=4xx").get("requests")).singleElement()
                .satisfies(r -> assertThat(r.get("status").asInt()).isEqualTo(404));
        assertThat(getJson("/api/requests?route=%2Fposts%2F%7Bid%7D").get("requests")).singleElement()
                .satisfies(r -> assertThat(r.get("route").asText()).isEqualTo("/posts/{id}"));
        assertThat(getJson("/api/requests?min_ms=10").get("requests")).singleElement()
                .satisfies(r -> assertThat(r.get("durationMs").asDouble()).isEqualTo(16.0));
        long latest = getJson("/api/requests").get("latest").asLong();
        assertThat(getJson("/api/requests?since=" + latest).get("requests")).isEmpty();

        JsonNode routes = getJson("/api/routes").get("routes");
        assertThat(routes).hasSize(2);
        JsonNode posts = routes.get(1);
        assertThat(posts.get("route").asText()).isEqualTo("/posts/{id}");
        assertThat(posts.get("count").asLong()).isEqualTo(1);
        assertThat(posts.get("p99Ms").asDouble()).isBetween(16.0, 16.0 * 1.125);
        assertThat(posts.get("slowest").get(0).get("durationMs").asDouble()).isEqualTo(16.0);
    }

    @Test
    void captureStaysWithinItsBoundsUnderTenThousandRequests() throws Exception {
        start(Map.of(ViewerSettings.CAPTURE, "100", ViewerSettings.CAPTURE_BYTES, "64k"));
        for (int i = 0; i < 10_000; i++) {
            InProcess.Exchange ex = scenario.send("/posts/" + i);
            scenario.scheduler.runToCompletion();
            assertThat(ex.response().status()).isEqualTo(200);
            assertThat(viewer().capturedRequests()).isLessThanOrEqualTo(100);
            assertThat(viewer().capturedBytes()).isLessThanOrEqualTo(64 * 1024);
        }
        assertThat(viewer().capturedRequests()).isGreaterThan(10);
        JsonNode listed = getJson("/api/requests");
        assertThat(listed.get("latest").asLong()).isEqualTo(10_000);
        assertThat(listed.get("requests")).hasSize(viewer().capturedRequests());
    }

    @Test
    void refusesANonLoopbackHostUnlessAllowed() {
        assertThatThrownBy(() -> ViewerSettings.resolve(ViewerSettings.builder(),
                Map.of(ViewerSettings.PORT, "8089", ViewerSettings.HOST, "0.0.0.0")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("ZER_VER_VIEWER_HOST=\"0.0.0.0\" is not valid: expected a loopback address")
                .hasMessageContaining("ZER_VER_VIEWER_ALLOW_REMOTE=1");
        assertThat(ViewerSettings.resolve(ViewerSettings.builder(), Map.of(ViewerSettings.PORT, "8089",
                ViewerSettings.HOST, "0.0.0.0", ViewerSettings.ALLOW_REMOTE, "1")).host()).isEqualTo("0.0.0.0");
        assertThat(ViewerSettings.resolve(ViewerSettings.builder(), Map.of(ViewerSettings.PORT, "8089",
                ViewerSettings.HOST, "localhost")).enabled()).isTrue();
        assertThat(ViewerSettings.resolve(ViewerSettings.builder(), Map.of()).enabled()).isFalse();
        assertThatThrownBy(() -> ViewerSettings.resolve(ViewerSettings.builder(), Map.of(ViewerSettings.PORT, "http")))
                .hasMessage("ZER_VER_VIEWER_PORT=\"http\" is not valid: expected off, or a port number from 0 (any free"
                        + " port) to 65535");
    }

    @Test
    void isReadOnlyAndAnswersLoopbackHostNamesOnly() throws Exception {
        start(Map.of());
        HttpResponse<String> post = client.send(HttpRequest.newBuilder(viewer().uri().resolve("/api/requests"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(get("/api/traces/not-an-id").statusCode()).isEqualTo(400);
        assertThat(get("/api/traces/" + "0".repeat(32)).statusCode()).isEqualTo(404);
        assertThat(get("/etc/passwd").statusCode()).isEqualTo(404);
        // A page elsewhere reaching the port through a DNS name rebound to 127.0.0.1 sends its own Host.
        assertThat(TraceViewer.loopbackHost("evil.example:8089")).isFalse();
        assertThat(TraceViewer.loopbackHost("127.0.0.1:8089")).isTrue();
        assertThat(TraceViewer.loopbackHost("localhost")).isTrue();
        assertThat(TraceViewer.loopbackHost("[::1]:8089")).isTrue();
        HttpResponse<String> page = get("/");
        assertThat(page.body()).contains("<title>Zerver traces</title>");
        assertThat(page.headers().firstValue("content-security-policy")).hasValueSatisfying(v -> v.contains("default-src 'self'"));
    }

    @Test
    void noSecretReachesAnyPageOrDownload() throws Exception {
        start(Map.of());
        scenario.scripts.put("post", Scenario.db(Script.returning("post-7")));
        InProcess.Exchange ex = InProcess.send(scenario.app, InboundRequest.builder().method("GET")
                .uri("/posts/7?password=hunter2&api_key=key-0451&page=2")
                .header("host", "blog.example:8080")
                .header("authorization", "Bearer tok-SECRET-99")
                .header("cookie", "session=cookie-SECRET-42")
                .client("10.0.0.7", 51234)
                .local("127.0.0.1", 8080)
                .build());
        scenario.scheduler.runToCompletion();
        assertThat(ex.response().status()).isEqualTo(200);
        String traceId = getJson("/api/requests").get("requests").get(0).get("traceId").asText();
        StringBuilder everything = new StringBuilder();
        for (String path : List.of("/", "/viewer.js", "/api/requests", "/api/routes", "/api/traces/" + traceId,
                "/api/traces/" + traceId + "/otlp.json")) {
            HttpResponse<String> r = get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            everything.append(r.body());
        }
        assertThat(everything.toString()).contains("page=2").doesNotContain("hunter2", "key-0451", "tok-SECRET-99",
                "cookie-SECRET-42");
    }
}
