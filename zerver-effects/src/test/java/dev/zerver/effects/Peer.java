package dev.zerver.effects;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP server on loopback that a test tells what to do by path: {@code /ok/{text}},
 * {@code /delay/{ms}} (answers later without holding a thread), {@code /status/{code}},
 * {@code /cookie} (sets a session cookie), {@code /redirect} (302 to {@code /ok/moved}),
 * {@code /reset} (closes the connection without answering), {@code /close/{text}} (answers, then
 * closes the connection), {@code /never}, {@code /hold} (until {@link #releaseHolds()}). Keeps what it
 * received, with the client's port (one per connection).
 */
public final class Peer implements AutoCloseable {
    /** One received request. */
    public record Received(String method, String pathAndQuery, Map<String, List<String>> headers, int clientPort) {
        public String header(String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue().get(0);
                }
            }
            return null;
        }
    }

    private final HttpServer server;
    /** Its threads are named {@code peer-...}, so that tests can tell them from the client's. */
    private final ExecutorService handlers = Executors.newFixedThreadPool(8, r -> new Thread(r, "peer-handler"));
    private final ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "peer-later"));
    private final List<HttpExchange> neverAnswered = new CopyOnWriteArrayList<>();
    public final List<Received> received = new CopyOnWriteArrayList<>();
    private final List<HttpExchange> held = new java.util.ArrayList<>();
    private boolean releasedHolds;

    /** Answers every {@code /hold} request so far, and later ones at once. */
    public void releaseHolds() {
        synchronized (held) {
            releasedHolds = true;
            held.forEach(ex -> answer(ex, 200, "held"));
            held.clear();
        }
    }

    public Peer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
        server.setExecutor(handlers);
        server.createContext("/", this::handle);
        server.start();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        received.add(new Received(ex.getRequestMethod(), ex.getRequestURI().toString(),
                Map.copyOf(ex.getRequestHeaders()), ex.getRemoteAddress().getPort()));
        ex.getRequestBody().readAllBytes();
        String[] parts = path.split("/");
        String verb = parts.length > 1 ? parts[1] : "";
        switch (verb) {
            case "ok" -> answer(ex, 200, parts.length > 2 ? parts[2] : "ok");
            case "status" -> answer(ex, Integer.parseInt(parts[2]), "status " + parts[2]);
            case "delay" -> later.schedule(() -> answer(ex, 200, "late"), Long.parseLong(parts[2]),
                    TimeUnit.MILLISECONDS);
            case "cookie" -> {
                ex.getResponseHeaders().add("Set-Cookie", "session=user-a; Path=/");
                answer(ex, 200, "cookie set");
            }
            case "redirect" -> {
                ex.getResponseHeaders().add("Location", "/ok/moved");
                answer(ex, 302, "moved");
            }
            case "reset" -> ex.close();
            case "close" -> {
                ex.getResponseHeaders().add("Connection", "close");
                answer(ex, 200, parts[2]);
            }
            case "never" -> neverAnswered.add(ex);
            case "hold" -> {
                synchronized (held) {
                    if (releasedHolds) {
                        answer(ex, 200, "held");
                    } else {
                        held.add(ex);
                    }
                }
            }
            default -> answer(ex, 404, "unknown");
        }
    }

    private static void answer(HttpExchange ex, int status, String body) {
        try {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        } catch (IOException ignored) {
            // The client went away: nothing to answer.
        }
    }

    @Override
    public void close() {
        server.stop(0);
        later.shutdownNow();
        handlers.shutdownNow();
    }
}
