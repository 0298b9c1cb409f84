package dev.zerver.examples.blog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Two blog servers on one PostgreSQL database, as behind a load balancer: what one writes, the
 * other reads at once (no state of their own but caches and telemetry). Skipped like the other
 * PostgreSQL tests without a server.
 */
class BlogTwoInstancesPostgresTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static BlogApp start(Map<String, String> database) throws Exception {
        Map<String, String> config = new HashMap<>(database);
        config.put("ZER_VER_PORT", "0");
        config.put("OTEL_TRACES_EXPORTER", "none");
        return BlogApp.start(BlogConfig.merge(config, new String[0]));
    }

    private HttpResponse<String> call(BlogApp blog, String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + blog.port() + path))
                .timeout(Duration.ofSeconds(10)).header("content-type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void eachInstanceSeesTheOthersWrites() throws Exception {
        Map<String, String> database = BlogPostgresTest.cleanDatabase();
        try (BlogApp a = start(database); BlogApp b = start(database)) {
            HttpResponse<String> created = call(a, "POST", "/blogs/api/posts",
                    "{\"title\":\"From A\",\"content\":\"written on one instance\",\"author\":\"ana\"}");
            assertThat(created.statusCode()).isEqualTo(201);
            String id = JSON.readTree(created.body()).get("id").asText();

            HttpResponse<String> read = call(b, "GET", "/blogs/api/posts/" + id, null);
            assertThat(read.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(read.body()).get("title").asText()).isEqualTo("From A");

            assertThat(call(b, "POST", "/blogs/api/posts/" + id + "/comments",
                    "{\"author\":\"bo\",\"content\":\"seen on the other one\"}").statusCode()).isEqualTo(201);
            JsonNode comments = JSON.readTree(call(a, "GET", "/blogs/api/posts/" + id + "/comments", null).body());
            assertThat(comments).singleElement().satisfies(c -> assertThat(c.get("content").asText())
                    .isEqualTo("seen on the other one"));

            assertThat(call(b, "DELETE", "/blogs/api/posts/" + id, null).statusCode()).isIn(200, 204);
            assertThat(call(a, "GET", "/blogs/api/posts/" + id, null).statusCode()).isEqualTo(404);
        }
    }
}
