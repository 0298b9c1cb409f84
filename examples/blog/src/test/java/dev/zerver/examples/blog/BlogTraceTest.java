package dev.zerver.examples.blog;

import static dev.zerver.otel.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.zerver.otel.OtlpReceiver;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The blog's exported traces, received over OTLP/HTTP and decoded with the official protobuf classes. */
class BlogTraceTest {
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    private BlogApp start(OtlpReceiver receiver, Map<String, String> extra) throws Exception {
        Map<String, String> config = new HashMap<>(extra);
        config.put("ZER_VER_PORT", "0");
        config.put("ZER_VER_DB_URL", "jdbc:sqlite:" + dir.resolve("blog.db"));
        config.put("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint());
        config.put("OTEL_BSP_SCHEDULE_DELAY", "50");
        return BlogApp.start(BlogConfig.merge(config, new String[0]));
    }

    private HttpResponse<String> get(BlogApp blog, String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + blog.port() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static List<Span> trace(OtlpReceiver receiver, String traceId) {
        return receiver.spans().stream().filter(s -> OtlpReceiver.hex(s.getTraceId()).equals(traceId))
                .collect(Collectors.toList());
    }

    private static Optional<KeyValue> attribute(Span s, String key) {
        return s.getAttributesList().stream().filter(a -> a.getKey().equals(key)).findFirst();
    }

    private static Span named(List<Span> trace, String name) {
        return trace.stream().filter(s -> s.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " in " + trace.stream().map(Span::getName).toList()));
    }

    @Test
    void thePostPageHasTheParallelShape() throws Exception {
        try (OtlpReceiver receiver = new OtlpReceiver(0); BlogApp blog = start(receiver, Map.of())) {
            HttpResponse<String> page = get(blog, "/blogs/posts/1");
            assertThat(page.statusCode()).isEqualTo(200);
            String traceId = page.headers().firstValue("x-request-id").orElseThrow();
            eventually(() -> trace(receiver, traceId).stream().anyMatch(s -> s.getName().equals("step.render_blog_post_page")),
                    "the post page's trace");
            List<Span> trace = trace(receiver, traceId);
            Span root = named(trace, "http.server: GET /blogs/posts/{id}");
            assertThat(root.getParentSpanId().isEmpty()).isTrue();
            Span need = named(trace, "step.load_blog_post_page");
            assertThat(attribute(need, "need.join").orElseThrow().getValue().getStringValue()).isEqualTo("all");
            String needId = OtlpReceiver.hex(need.getSpanId());
            List<String> effects = trace.stream()
                    .filter(s -> OtlpReceiver.hex(s.getParentSpanId()).equals(needId))
                    .filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_CLIENT)
                    .map(Span::getName).sorted().toList();
            assertThat(effects).containsExactly("cache.get author_profile", "db.get blog_post", "http.get comments");
            Span resume = named(trace, "step.load_blog_post_page.resume");
            assertThat(OtlpReceiver.hex(resume.getParentSpanId())).isEqualTo(OtlpReceiver.hex(root.getSpanId()));
            assertThat(attribute(named(trace, "step.render_markdown"), "render.phase").orElseThrow()
                    .getValue().getStringValue()).isEqualTo("markdown");
            Span template = named(trace, "step.render_blog_post_page");
            assertThat(attribute(template, "render.phase").orElseThrow().getValue().getStringValue()).isEqualTo("template");
            assertThat(attribute(template, "render.size_bytes").orElseThrow().getValue().getIntValue()).isPositive();
            // The comments service is this server: its request joined the same trace under the http effect.
            Span http = named(trace, "http.get comments");
            Span inner = named(trace, "http.server: GET /blogs/api/posts/{post_id}/comments");
            assertThat(inner.getParentSpanId()).isEqualTo(http.getSpanId());
        }
    }

    @Test
    void aPoolOfOneUnderConcurrentRequestsShowsBackpressureParksWithItsLimits() throws Exception {
        try (OtlpReceiver receiver = new OtlpReceiver(0);
                BlogApp blog = start(receiver, Map.of("ZER_VER_DB_POOL_SIZE", "1", "ZER_VER_PROMOTE_PARK_MS", "0"))) {
            for (int round = 0; round < 5 && backpressure(receiver).isEmpty(); round++) {
                List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    calls.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + blog.port()
                            + "/blogs/api/posts")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()));
                }
                for (CompletableFuture<HttpResponse<String>> c : calls) {
                    assertThat(c.get(15, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
                }
                blog.otel().flush();
                eventually(() -> blog.otel().queuedSpans() == 0, "the export queue to drain");
                Thread.sleep(200);
            }
            List<Span> parks = backpressure(receiver);
            assertThat(parks).isNotEmpty().allSatisfy(p -> {
                assertThat(attribute(p, "job.park.token").orElseThrow().getValue().getStringValue()).isEqualTo("db_pool");
                assertThat(attribute(p, "concurrency.limit.max").orElseThrow().getValue().getIntValue()).isEqualTo(1);
                assertThat(attribute(p, "concurrency.limit.current").orElseThrow().getValue().getIntValue()).isEqualTo(1);
            });
        }
    }

    private static List<Span> backpressure(OtlpReceiver receiver) {
        return receiver.spans().stream().filter(s -> s.getName().equals("job.park(backpressure)")).toList();
    }
}
