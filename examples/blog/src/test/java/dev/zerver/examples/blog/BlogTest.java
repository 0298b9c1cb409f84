package dev.zerver.examples.blog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zerver.config.ConfigException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The blog over real HTTP with a real SQLite file: CRUD, validation, 404s and the HTML pages. */
class BlogTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;
    private BlogApp blog;

    @BeforeEach
    void start() throws Exception {
        Map<String, String> config = new HashMap<>(database());
        config.put("ZER_VER_PORT", "0");
        config.put("OTEL_TRACES_EXPORTER", "none");
        blog = BlogApp.start(BlogConfig.merge(config, new String[0]));
    }

    @Test
    void theStartUpPrintoutRedactsSecretsAsTelemetryDoes() throws Exception {
        Map<String, String> config = new HashMap<>(database());
        config.putAll(Map.of("ZER_VER_PORT", "0", "OTEL_TRACES_EXPORTER", "none",
                "BLOG_COMMENTS_URL", "http://reader:s3cr3t@127.0.0.1:9/api?token=s3cr3t"));
        try (BlogApp other = BlogApp.start(BlogConfig.merge(config, new String[0]))) {
            assertThat(other.describe().get("BLOG_COMMENTS_URL"))
                    .isEqualTo("http://REDACTED:REDACTED@127.0.0.1:9/api?token=REDACTED");
            assertThat(other.describe().values()).noneMatch(v -> v.contains("s3cr3t"));
        }
    }

    @Test
    void aCommentsServiceUrlWithAQueryKeepsItAfterThePath() throws Exception {
        java.util.List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        com.sun.net.httpserver.HttpServer peer = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        peer.createContext("/", ex -> {
            asked.add(ex.getRequestURI().toString());
            byte[] body = "[]".getBytes();
            ex.getResponseHeaders().set("content-type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        peer.start();
        Map<String, String> config = new HashMap<>(database());
        config.putAll(Map.of("ZER_VER_PORT", "0", "OTEL_TRACES_EXPORTER", "none",
                "BLOG_COMMENTS_URL", "http://127.0.0.1:" + peer.getAddress().getPort() + "/svc/?key=k1"));
        try (BlogApp other = BlogApp.start(BlogConfig.merge(config, new String[0]))) {
            HttpResponse<String> page = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + other.port()
                    + "/blogs/posts/1")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(asked).containsExactly("/svc/blogs/api/posts/1/comments?key=k1");
        } finally {
            peer.stop(0);
        }
    }

    /** The database settings: a fresh SQLite file. */
    Map<String, String> database() throws Exception {
        return Map.of("ZER_VER_DB_URL", "jdbc:sqlite:" + dir.resolve("blog.db"));
    }

    @AfterEach
    void stop() {
        if (blog != null) { // null when start-up was skipped or failed
            blog.close();
        }
    }

    private HttpResponse<String> call(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + blog.port() + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("content-type", "application/json");
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    @Test
    void postsCanBeCreatedReadReplacedPatchedAndDeleted() throws Exception {
        HttpResponse<String> created = call("POST", "/blogs/api/posts",
                "{\"title\":\"First\",\"content\":\"Some *text*\",\"author\":\"ana\"}");
        assertThat(created.statusCode()).isEqualTo(201);
        String id = json(created).get("id").asText();
        assertThat(created.headers().firstValue("location")).hasValue("/blogs/api/posts/" + id);

        JsonNode read = json(call("GET", "/blogs/api/posts/" + id, null));
        assertThat(read.get("title").asText()).isEqualTo("First");
        assertThat(read.get("author").asText()).isEqualTo("ana");
        assertThat(json(call("GET", "/blogs/api/posts", null))).extracting(n -> n.get("id").asText()).contains(id, "1", "2", "3");

        HttpResponse<String> replaced = call("PUT", "/blogs/api/posts/" + id,
                "{\"title\":\"Second\",\"content\":\"New\",\"author\":\"ben\"}");
        assertThat(replaced.statusCode()).isEqualTo(200);
        assertThat(json(replaced).get("title").asText()).isEqualTo("Second");

        HttpResponse<String> patched = call("PATCH", "/blogs/api/posts/" + id, "{\"content\":\"Patched\"}");
        assertThat(patched.statusCode()).isEqualTo(200);
        assertThat(json(patched).get("content").asText()).isEqualTo("Patched");
        assertThat(json(patched).get("title").asText()).isEqualTo("Second");

        assertThat(call("DELETE", "/blogs/api/posts/" + id, null).statusCode()).isEqualTo(204);
        assertThat(call("GET", "/blogs/api/posts/" + id, null).statusCode()).isEqualTo(404);
        assertThat(call("DELETE", "/blogs/api/posts/" + id, null).statusCode()).isEqualTo(404);
    }

    @Test
    void commentsCanBeListedAddedAndDeleted() throws Exception {
        assertThat(json(call("GET", "/blogs/api/posts/1/comments", null))).hasSize(2);
        HttpResponse<String> added = call("POST", "/blogs/api/posts/1/comments", "{\"author\":\"dee\",\"content\":\"+1\"}");
        assertThat(added.statusCode()).isEqualTo(201);
        String cid = json(added).get("id").asText();
        assertThat(json(call("GET", "/blogs/api/posts/1/comments", null))).hasSize(3);
        assertThat(call("DELETE", "/blogs/api/posts/1/comments/" + cid, null).statusCode()).isEqualTo(204);
        assertThat(call("DELETE", "/blogs/api/posts/1/comments/" + cid, null).statusCode()).isEqualTo(404);
        assertThat(call("GET", "/blogs/api/posts/nope/comments", null).statusCode()).isEqualTo(404);
        assertThat(call("POST", "/blogs/api/posts/nope/comments", "{\"author\":\"dee\",\"content\":\"x\"}").statusCode())
                .isEqualTo(404);
    }

    @Test
    void invalidInputIsA400WithTheErrorBody() throws Exception {
        String longTitle = "t".repeat(201);
        Map<String, String> cases = Map.of(
                "not json", "invalid_json",
                "[1,2]", "invalid_json",
                "{\"title\":\"\",\"content\":\"c\",\"author\":\"a\"}", "title_empty",
                "{\"title\":\"" + longTitle + "\",\"content\":\"c\",\"author\":\"a\"}", "title_too_long",
                "{\"title\":\"t\",\"content\":\"  \",\"author\":\"a\"}", "content_empty",
                "{\"title\":\"t\",\"content\":\"c\"}", "author_empty");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            HttpResponse<String> r = call("POST", "/blogs/api/posts", c.getKey());
            assertThat(r.statusCode()).as(c.getKey()).isEqualTo(400);
            assertThat(json(r).at("/error/key").asText()).as(c.getKey()).isEqualTo(c.getValue());
            assertThat(json(r).at("/error/code").asInt()).isEqualTo(400);
        }
        assertThat(json(call("PATCH", "/blogs/api/posts/1", "{\"title\":\"\"}")).at("/error/key").asText()).isEqualTo("title_empty");
        assertThat(json(call("POST", "/blogs/api/posts/1/comments", "{\"content\":\"x\"}")).at("/error/key").asText())
                .isEqualTo("author_empty");
        String title200 = "t".repeat(200);
        assertThat(call("POST", "/blogs/api/posts", "{\"title\":\"" + title200 + "\",\"content\":\"c\",\"author\":\"a\"}")
                .statusCode()).isEqualTo(201);
    }

    @Test
    void textNoDatabaseCanStoreIsA400AndNeverTripsTheBreaker() throws Exception {
        // U+0000 (PostgreSQL refuses it in text) and an unpaired surrogate, as JSON escapes.
        for (int i = 0; i < 6; i++) {   // more than the breaker's 5 failures
            HttpResponse<String> nul = call("POST", "/blogs/api/posts",
                    "{\"title\":\"a\\u0000b\",\"content\":\"c\",\"author\":\"a\"}");
            assertThat(nul.statusCode()).isEqualTo(400);
            assertThat(json(nul).at("/error/key").asText()).isEqualTo("title_invalid_character");
        }
        HttpResponse<String> surrogate = call("POST", "/blogs/api/posts/1/comments",
                "{\"author\":\"dee\",\"content\":\"x\\ud800y\"}");
        assertThat(json(surrogate).at("/error/key").asText()).isEqualTo("content_invalid_character");
        assertThat(call("POST", "/blogs/api/posts", "{\"title\":\"\\ud83d\\ude00 ok\",\"content\":\"c\",\"author\":\"a\"}")
                .statusCode()).as("a valid pair is fine").isEqualTo(201);
        assertThat(call("GET", "/blogs/api/posts/1", null).statusCode()).isEqualTo(200);
    }

    @Test
    void missingPostsAre404() throws Exception {
        HttpResponse<String> r = call("GET", "/blogs/api/posts/999", null);
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(json(r).at("/error/key").asText()).isEqualTo("not_found");
        assertThat(call("GET", "/blogs/posts/999", null).statusCode()).isEqualTo(404);
        assertThat(call("PUT", "/blogs/api/posts/999", "{\"title\":\"t\",\"content\":\"c\",\"author\":\"a\"}").statusCode())
                .isEqualTo(404);
        assertThat(call("PATCH", "/blogs/api/posts/999", "{\"title\":\"t\"}").statusCode()).isEqualTo(404);
    }

    @Test
    void thePostPageRendersMarkdownAuthorAndComments() throws Exception {
        HttpResponse<String> page = call("GET", "/blogs/posts/1", null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(page.body())
                .contains("<h1>Hello</h1>")
                .contains("<strong>steps</strong>")
                .contains("<em>effects</em>")
                .contains("by Ana Lima")
                .contains("Comments (2)")
                .contains("Nice timeline!");
        // Raw HTML in a post is shown, not executed.
        HttpResponse<String> created = call("POST", "/blogs/api/posts",
                "{\"title\":\"<b>bold</b>\",\"content\":\"<script>alert(1)</script>\",\"author\":\"eve\"}");
        String id = json(created).get("id").asText();
        String html = call("GET", "/blogs/posts/" + id, null).body();
        assertThat(html).doesNotContain("<script>").contains("&lt;script&gt;").contains("&lt;b&gt;bold&lt;/b&gt;");
        // Links may not run code or smuggle content; pages forbid scripts and sniffing.
        HttpResponse<String> links = call("POST", "/blogs/api/posts", "{\"title\":\"links\",\"author\":\"eve\",\"content\":"
                + "\"[a](data:text/html;base64,PHNjcmlwdD4=) [b](javascript:alert(1)) ![c](data:image/svg+xml,x) [ok](https://example.org/)\"}");
        HttpResponse<String> linkPage = call("GET", "/blogs/posts/" + json(links).get("id").asText(), null);
        assertThat(linkPage.body()).doesNotContain("data:").doesNotContain("javascript:").contains("href=\"https://example.org/\"");
        assertThat(linkPage.headers().firstValue("content-security-policy")).hasValueSatisfying(csp ->
                assertThat(csp).contains("default-src 'none'").doesNotContain("script-src"));
        assertThat(linkPage.headers().firstValue("x-content-type-options")).contains("nosniff");
        assertThat(call("GET", "/blogs", null).headers().firstValue("x-content-type-options")).contains("nosniff");
        assertThat(call("GET", "/blogs", null).body()).contains("Hello, Zerver").contains("/blogs/posts/" + id);
        // Second view: the author profile now comes from the cache.
        assertThat(call("GET", "/blogs/posts/1", null).body()).contains("by Ana Lima");
    }

    @Test
    void badFlagsAndSettingsStopStartUpWithOneLine() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> BlogConfig.merge(Map.of(), new String[] {"--prot=1"}))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("--prot=\"1\" is not valid");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> BlogConfig.commentsRateLimit(Map.of(BlogConfig.COMMENTS_RATE_LIMIT, "fast")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("BLOG_COMMENTS_RATE_LIMIT=\"fast\" is not valid");
        assertThat(BlogConfig.merge(Map.of(), new String[] {"--port", "8081", "--db-pool-size=3"}))
                .containsEntry("ZER_VER_PORT", "8081").containsEntry("ZER_VER_DB_POOL_SIZE", "3");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> BlogConfig.merge(Map.of(), new String[] {"--port"}))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("--port=\"\" is not valid");
        assertThat(BlogConfig.merge(Map.of("ZER_VER_PORT", "1"), new String[] {"--port=2", "--db-pool-size=1"}))
                .containsEntry("ZER_VER_PORT", "2").containsEntry("ZER_VER_DB_POOL_SIZE", "1")
                .containsEntry("ZER_VER_DB_URL", BlogConfig.DEFAULT_DB_URL);
    }
}
