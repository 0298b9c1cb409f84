package dev.zerver.otel.internal;

import dev.zerver.examples.blog.BlogApp;
import dev.zerver.telemetry.RequestRecord;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Real records of the reference blog: it is started on loopback with its embedded SQLite, warmed
 * up, and the last finished record of each route is kept.
 */
final class BlogRecords {
    final RequestRecord api;
    final RequestRecord page;
    /** The last {@link #MANY} records of the API route, each its own objects, as an export batch sees them. */
    final List<RequestRecord> manyApi = new java.util.concurrent.CopyOnWriteArrayList<>();

    static final int MANY = 512;

    BlogRecords() throws Exception {
        Path dir = Files.createTempDirectory("zerver-bench");
        Map<String, RequestRecord> last = new ConcurrentHashMap<>();
        try (BlogApp blog = BlogApp.start(Map.of("ZER_VER_PORT", "0", "OTEL_TRACES_EXPORTER", "none",
                "ZER_VER_DB_URL", "jdbc:sqlite:" + dir.resolve("blog.db")),
                List.of(r -> {
                    if (r.route() != null) {
                        last.put(r.route(), r);
                        if (r.route().equals("/blogs/api/posts/{id}")) {
                            manyApi.add(r);
                        }
                    }
                }))) {
            HttpClient client = HttpClient.newHttpClient();
            for (int i = 0; i < 600; i++) {
                for (String path : List.of("/blogs/api/posts/1", "/blogs/posts/1")) {
                    HttpResponse<String> res = client.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + blog.port() + path)).timeout(Duration.ofSeconds(10)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (res.statusCode() != 200) {
                        throw new IllegalStateException(path + " answered " + res.statusCode());
                    }
                }
            }
            Thread.sleep(200); // the last records reach the listener just after their responses
        }
        while (manyApi.size() > MANY) {
            manyApi.remove(0);
        }
        api = require(last, "/blogs/api/posts/{id}");
        page = require(last, "/blogs/posts/{id}");
    }

    private static RequestRecord require(Map<String, RequestRecord> last, String route) {
        RequestRecord r = last.get(route);
        if (r == null) {
            throw new IllegalStateException("no record of " + route + " among " + last.keySet());
        }
        return r;
    }
}
