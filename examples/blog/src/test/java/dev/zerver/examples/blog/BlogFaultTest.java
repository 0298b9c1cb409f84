package dev.zerver.examples.blog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Valid and hostile clients at once, for a bounded number of rounds: every valid request must be
 * answered correctly, no breaker may open, and every post acknowledged must be stored exactly once.
 */
class BlogFaultTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int WRITERS = 3;
    private static final int ROUNDS = 40;
    private static final int PIPELINED = 150; // beyond Netty's own limit of 128 outstanding
    private static final Pattern STATUS = Pattern.compile("^HTTP/1\\.[01] (\\d{3}) ");

    @TempDir
    Path dir;
    private BlogApp blog;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() throws Exception {
        Map<String, String> config = new HashMap<>(database());
        config.put("ZER_VER_PORT", "0");
        config.put("OTEL_TRACES_EXPORTER", "none");
        config.put("ZER_VER_CIRCUIT_FAILURES", "3"); // quick to open if anything fed it
        blog = BlogApp.start(BlogConfig.merge(config, new String[0]));
    }

    /** A fresh SQLite file; the PostgreSQL variant overrides it. */
    Map<String, String> database() throws Exception {
        return Map.of("ZER_VER_DB_URL", "jdbc:sqlite:" + dir.resolve("blog.db"));
    }

    @AfterEach
    void stop() {
        if (blog != null) {
            blog.close();
        }
    }

    @Test
    void hostileClientsCostValidOnesNothing() throws Exception {
        int before = json(get("/blogs/api/posts")).size();
        Map<String, String> acknowledged = new ConcurrentHashMap<>(); // id -> title
        List<String> wrong = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS + 1);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                work.add(pool.submit(() -> {
                    for (int i = 0; i < ROUNDS; i++) {
                        String title = "w" + writer + "-" + i;
                        HttpResponse<String> created = send("POST", "/blogs/api/posts",
                                "{\"title\":\"" + title + "\",\"content\":\"c\",\"author\":\"ana\"}");
                        if (created.statusCode() != 201) {
                            wrong.add("POST " + title + " -> " + created.statusCode() + " " + created.body());
                            continue;
                        }
                        String id = json(created.body()).get("id").asText();
                        acknowledged.put(id, title);
                        HttpResponse<String> read = send("GET", "/blogs/api/posts/" + id, null);
                        if (read.statusCode() != 200 || !json(read.body()).get("title").asText().equals(title)) {
                            wrong.add("GET " + id + " -> " + read.statusCode() + " " + read.body());
                        }
                        HttpResponse<String> page = send("GET", "/blogs/posts/1", null);
                        if (page.statusCode() != 200) {
                            wrong.add("page -> " + page.statusCode() + " " + page.body());
                        }
                    }
                    return null;
                }));
            }
            work.add(pool.submit(() -> {
                for (int i = 0; i < ROUNDS / 4; i++) {
                    hostileRound(i, acknowledged, wrong);
                }
                return null;
            }));
            for (Future<?> f : work) {
                f.get(110, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(wrong).as("valid requests answered wrongly").isEmpty();

        JsonNode all = json(get("/blogs/api/posts"));
        Map<String, String> stored = new HashMap<>();
        Set<String> titles = new HashSet<>();
        for (JsonNode p : all) {
            stored.put(p.get("id").asText(), p.get("title").asText());
            assertThat(titles.add(p.get("title").asText())).as("title stored twice: %s", p.get("title")).isTrue();
        }
        assertThat(all.size()).as("no row lost or doubled").isEqualTo(before + acknowledged.size());
        assertThat(stored).containsAllEntriesOf(acknowledged);
        assertThat(acknowledged).hasSize(WRITERS * ROUNDS + (ROUNDS / 4) * PIPELINED);
    }

    /** One round of abuse; the pipelined POSTs are valid and must each create a row. */
    private void hostileRound(int round, Map<String, String> acknowledged, List<String> wrong) throws Exception {
        expectStatus(post("{\"title\":\"a\\u0000b\",\"content\":\"c\",\"author\":\"x\"}"), 400, wrong);
        expectStatus("GET /blogs/api/posts/1 HTTP/9.9\r\nHost: x\r\n\r\n", 505, wrong);
        expectStatus("GET /blogs/api/posts/1 HTTP/1.1\r\n\r\n", 400, wrong);
        expectStatus("GET /blogs/api/posts/1 HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n", 431, wrong);
        expectStatus("NOT HTTP AT ALL\r\n\r\n", 400, wrong);
        expectStatus(post("not json!"), 400, wrong);
        expectStatus("GET /blogs/api/posts/1' OR '1'='1 HTTP/1.1\r\nHost: x\r\n\r\n", 400, wrong);

        StringBuilder burst = new StringBuilder();
        for (int i = 0; i < PIPELINED; i++) {
            burst.append(post("{\"title\":\"p" + round + "-" + i + "\",\"content\":\"c\",\"author\":\"bo\"}"));
        }
        try (Socket s = connect()) {
            s.getOutputStream().write(burst.toString().getBytes(StandardCharsets.UTF_8));
            s.shutdownOutput(); // half-closed: the answers must still come
            InputStream in = s.getInputStream();
            for (int i = 0; i < PIPELINED; i++) {
                String head = readHead(in);
                int length = Integer.parseInt(header(head, "content-length"));
                String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
                Matcher m = STATUS.matcher(head);
                if (!m.find() || !m.group(1).equals("201")) {
                    wrong.add("pipelined " + i + " -> " + head.lines().findFirst().orElse("") + " " + body);
                    continue;
                }
                JsonNode post = json(body);
                acknowledged.put(post.get("id").asText(), post.get("title").asText());
            }
            assertThat(in.read()).as("closed after the last answer").isEqualTo(-1);
        }
    }

    /** A raw POST of {@code body} to the posts API. */
    private static String post(String body) {
        return "POST /blogs/api/posts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    private void expectStatus(String raw, int status, List<String> wrong) throws IOException {
        try (Socket s = connect()) {
            s.getOutputStream().write(raw.getBytes(StandardCharsets.UTF_8));
            String head = readHead(s.getInputStream());
            Matcher m = STATUS.matcher(head);
            if (!m.find() || Integer.parseInt(m.group(1)) != status) {
                wrong.add("hostile " + raw.lines().findFirst().orElse("") + " -> " + head.lines().findFirst().orElse("")
                        + " (expected " + status + ")");
            }
        } catch (IOException e) {
            // A reset while the server refuses a large header block is acceptable; a hang is not (timeout).
            if (status != 431) {
                throw e;
            }
        }
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", blog.port()), 5_000);
        s.setSoTimeout(20_000);
        return s;
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            b.write(c);
            byte[] sofar = b.toByteArray();
            int n = sofar.length;
            if (n >= 4 && sofar[n - 4] == '\r' && sofar[n - 3] == '\n' && sofar[n - 2] == '\r' && sofar[n - 1] == '\n') {
                break;
            }
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }

    private static String header(String head, String name) {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return "0";
    }

    private String get(String path) throws Exception {
        return send("GET", path, null).body();
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + blog.port() + path))
                .timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("content-type", "application/json");
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }
}
