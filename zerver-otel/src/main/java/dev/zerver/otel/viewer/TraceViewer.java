package dev.zerver.otel.viewer;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.zerver.otel.internal.RouteStats;
import dev.zerver.otel.internal.TraceExport;
import dev.zerver.telemetry.RequestRecord;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

/**
 * The built-in trace viewer: a read-only web page on its own port (loopback by default) listing
 * the newest requests, each route's percentiles and any trace as a waterfall, from the same
 * records and with the same redaction as the exporters. It serves only GET; nothing can be
 * changed through it.
 *
 * <p>Started by {@code ZerverOtel} when {@code ZER_VER_VIEWER_PORT} (or the builder's
 * {@code viewer} settings) turn it on; {@link #uri()} says where it listens.
 */
public final class TraceViewer implements AutoCloseable {
    private static final Pattern TRACE_ID = Pattern.compile("[0-9a-f]{32}");
    private static final JsonFactory JSON = new JsonFactory();
    private static final int MAX_LISTED = 200;
    private static final Map<String, String> STATIC = Map.of(
            "/", "index.html", "/index.html", "index.html", "/viewer.js", "viewer.js", "/viewer.css", "viewer.css");

    private final ViewerSettings settings;
    private final TraceExport export;
    private final Capture capture;
    private final HttpServer server;
    private final ExecutorService thread;

    private TraceViewer(ViewerSettings settings, TraceExport export) throws IOException {
        this.settings = settings;
        this.export = export;
        this.capture = new Capture(settings.capture(), settings.captureBytes(), settings.tailCapture());
        this.server = HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), 16);
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "zerver-viewer");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(thread);
        server.createContext("/", this::handle);
        server.start();
    }

    /**
     * Listens as the settings say and captures what {@code export} judges. Not an API: called by
     * {@code ZerverOtel}.
     *
     * @throws UncheckedIOException when the port cannot be bound, naming host and port
     */
    public static TraceViewer start(ViewerSettings settings, TraceExport export) {
        try {
            TraceViewer viewer = new TraceViewer(settings, export);
            export.onTailKept(viewer.capture::keep);
            return viewer;
        } catch (IOException e) {
            throw new UncheckedIOException("zerver: the trace viewer cannot listen on " + settings.host() + ":"
                    + settings.port() + " (" + ViewerSettings.PORT + "): " + e.getMessage(), e);
        }
    }

    /** Called for every finished request: one reference appended to the capture. */
    public void capture(TraceExport.Finished request) {
        capture.add(request);
    }

    /** Where the viewer listens, e.g. {@code http://127.0.0.1:8089/}. */
    public URI uri() {
        InetSocketAddress a = server.getAddress();
        String host = a.getAddress().getHostAddress();
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort() + "/");
    }

    /** Requests held for the viewer now, and their estimated bytes (for tests of the bounds). */
    int capturedRequests() {
        return capture.size();
    }

    long capturedBytes() {
        return capture.bytes();
    }

    @Override
    public void close() {
        server.stop(0);
        thread.shutdownNow();
    }

    // ---- HTTP ----

    private void handle(HttpExchange x) throws IOException {
        try {
            if (!settings.allowRemote() && !loopbackHost(x.getRequestHeaders().getFirst("Host"))) {
                // A page on another site reaching us through a rebound DNS name: refuse.
                send(x, 403, "text/plain; charset=utf-8", bytes("forbidden: the viewer answers loopback host names only\n"));
                return;
            }
            String method = x.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                x.getResponseHeaders().set("Allow", "GET, HEAD");
                send(x, 405, "text/plain; charset=utf-8", bytes("the viewer is read-only\n"));
                return;
            }
            String path = x.getRequestURI().getRawPath();
            Map<String, String> query = query(x.getRequestURI().getRawQuery());
            if (STATIC.containsKey(path)) {
                String file = STATIC.get(path);
                send(x, 200, contentType(file), resource(file));
            } else if (path.equals("/api/requests")) {
                send(x, 200, "application/json", json(g -> requests(g, query)));
            } else if (path.equals("/api/routes")) {
                send(x, 200, "application/json", json(this::routes));
            } else if (path.startsWith("/api/traces/")) {
                trace(x, path.substring("/api/traces/".length()));
            } else {
                send(x, 404, "text/plain; charset=utf-8", bytes("not found\n"));
            }
        } catch (RuntimeException e) {
            send(x, 500, "text/plain; charset=utf-8", bytes("the viewer failed: " + e.getClass().getSimpleName() + "\n"));
        } finally {
            x.close();
        }
    }

    private void trace(HttpExchange x, String rest) throws IOException {
        boolean download = rest.endsWith("/otlp.json");
        String id = download ? rest.substring(0, rest.length() - "/otlp.json".length()) : rest;
        if (!TRACE_ID.matcher(id).matches()) {
            send(x, 400, "text/plain; charset=utf-8", bytes("a trace id is 32 lowercase hex digits\n"));
            return;
        }
        List<TraceExport.Finished> requests = new ArrayList<>();
        capture.trace(id).forEach(e -> requests.add(e.request()));
        if (requests.isEmpty()) {
            send(x, 404, "text/plain; charset=utf-8", bytes("trace " + id + " is not (or no longer) captured\n"));
            return;
        }
        if (download) {
            x.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"trace-" + id + ".otlp.json\"");
            send(x, 200, "application/json", export.otlpJson(requests));
            return;
        }
        Waterfall w = new Waterfall(export.spansOf(requests));
        send(x, 200, "application/json", json(g -> waterfall(g, id, w)));
    }

    private static void send(HttpExchange x, int status, String type, byte[] body) throws IOException {
        x.getResponseHeaders().set("Content-Type", type);
        x.getResponseHeaders().set("Cache-Control", "no-store");
        x.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        x.getResponseHeaders().set("Content-Security-Policy",
                "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'none'");
        boolean head = x.getRequestMethod().equals("HEAD");
        x.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = x.getResponseBody()) {
                out.write(body);
            }
        }
    }

    static boolean loopbackHost(String hostHeader) {
        if (hostHeader == null) {
            return false;
        }
        String host = hostHeader.startsWith("[") ? hostHeader.substring(1, Math.max(1, hostHeader.indexOf(']')))
                : hostHeader.contains(":") ? hostHeader.substring(0, hostHeader.indexOf(':')) : hostHeader;
        host = host.toLowerCase(Locale.ROOT);
        return host.equals("localhost") || host.equals("::1") || host.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static String contentType(String file) {
        return file.endsWith(".html") ? "text/html; charset=utf-8"
                : file.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
    }

    private static byte[] resource(String file) throws IOException {
        try (InputStream in = TraceViewer.class.getResourceAsStream(file)) {
            if (in == null) {
                throw new IOException("missing viewer resource " + file);
            }
            return in.readAllBytes();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ---- JSON ----

    private interface Writer {
        void write(JsonGenerator g) throws IOException;
    }

    private static byte[] json(Writer w) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            w.write(g);
        }
        return out.toByteArray();
    }

    /** The newest captured requests matching the filters: {@code route}, {@code status} (2xx..5xx), {@code min_ms}, {@code since} (seq). */
    private void requests(JsonGenerator g, Map<String, String> q) throws IOException {
        String route = q.get("route");
        String status = q.get("status");
        double minMs = number(q.get("min_ms"));
        long since = (long) number(q.get("since"));
        List<Capture.Entry> all = capture.newestFirst();
        g.writeStartObject();
        g.writeNumberField("latest", all.isEmpty() ? 0 : all.get(0).seq());
        g.writeArrayFieldStart("requests");
        int listed = 0;
        for (Capture.Entry e : all) {
            RequestRecord r = e.record();
            if (e.seq() <= since || listed >= MAX_LISTED) {
                break;
            }
            double ms = (r.endNanos() - r.startNanos()) / 1e6;
            if ((route != null && !route.isEmpty() && !route.equals(routeOf(r)))
                    || (status != null && !status.isEmpty() && !status.equals((r.status() / 100) + "xx")) || ms < minMs) {
                continue;
            }
            listed++;
            g.writeStartObject();
            g.writeNumberField("seq", e.seq());
            g.writeStringField("traceId", r.traceId());
            g.writeNumberField("startEpochMs", r.toEpochNanos(r.startNanos()) / 1_000_000);
            g.writeStringField("method", r.method());
            g.writeStringField("route", routeOf(r));
            g.writeNumberField("status", r.status());
            g.writeNumberField("durationMs", ms);
            g.writeBooleanField("promoted", export.promoted(e.request()));
            g.writeBooleanField("error", TraceExport.failed(r));
            String reason = export.samplingReason(e.request());
            g.writeStringField("sampling", reason == null ? "not exported" : reason);
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static double number(String v) {
        try {
            return v == null || v.isEmpty() ? 0 : Double.parseDouble(v);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String routeOf(RequestRecord r) {
        return r.route() == null ? "(no route)" : r.route();
    }

    /** Each route's window, and its slowest captured requests. */
    private void routes(JsonGenerator g) throws IOException {
        List<Capture.Entry> all = capture.newestFirst();
        long now = Long.MIN_VALUE;
        Map<String, List<Capture.Entry>> byRoute = new LinkedHashMap<>();
        for (Capture.Entry e : all) {
            now = Math.max(now, e.record().endNanos());
            byRoute.computeIfAbsent(routeOf(e.record()), k -> new ArrayList<>()).add(e);
        }
        List<RouteStats.Summary> summaries = all.isEmpty() ? List.of() : export.routes(now);
        g.writeStartObject();
        g.writeArrayFieldStart("routes");
        for (RouteStats.Summary s : summaries.stream().sorted(Comparator.comparing(RouteStats.Summary::route)).toList()) {
            String name = s.route().isEmpty() ? "(no route)" : s.route();
            g.writeStartObject();
            g.writeStringField("route", name);
            g.writeNumberField("count", s.count());
            g.writeNumberField("failed", s.failed());
            g.writeNumberField("errorRate", s.count() == 0 ? 0 : (double) s.failed() / s.count());
            millis(g, "p50Ms", s.p50Nanos());
            millis(g, "p95Ms", s.p95Nanos());
            millis(g, "p99Ms", s.p99Nanos());
            g.writeArrayFieldStart("slowest");
            List<Capture.Entry> mine = new ArrayList<>(byRoute.getOrDefault(name, List.of()));
            mine.sort(Comparator.comparingLong((Capture.Entry e) -> e.record().endNanos() - e.record().startNanos()).reversed());
            for (Capture.Entry e : mine.subList(0, Math.min(5, mine.size()))) {
                g.writeStartObject();
                g.writeStringField("traceId", e.record().traceId());
                g.writeNumberField("durationMs", (e.record().endNanos() - e.record().startNanos()) / 1e6);
                g.writeNumberField("status", e.record().status());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void millis(JsonGenerator g, String field, long nanos) throws IOException {
        if (nanos < 0) {
            g.writeNullField(field);
        } else {
            g.writeNumberField(field, nanos / 1e6);
        }
    }

    private static void waterfall(JsonGenerator g, String traceId, Waterfall w) throws IOException {
        g.writeStartObject();
        g.writeStringField("traceId", traceId);
        g.writeStringField("summary", w.summary);
        g.writeNumberField("startEpochMs", w.startEpochNanos / 1_000_000);
        g.writeNumberField("durationMs", (w.endEpochNanos - w.startEpochNanos) / 1e6);
        g.writeArrayFieldStart("spans");
        for (Waterfall.Row row : w.rows) {
            SpanData s = row.span();
            g.writeStartObject();
            g.writeStringField("spanId", s.getSpanId());
            g.writeStringField("parentSpanId", s.getParentSpanId());
            g.writeStringField("name", s.getName());
            g.writeStringField("label", row.label());
            g.writeStringField("kind", s.getKind().name());
            g.writeStringField("service", s.getResource().getAttribute(Waterfall.SERVICE));
            g.writeStringField("status", s.getStatus().getStatusCode().name());
            g.writeNumberField("depth", row.depth());
            g.writeBooleanField("promoted", row.promoted());
            g.writeNumberField("startMs", (s.getStartEpochNanos() - w.startEpochNanos) / 1e6);
            g.writeNumberField("endMs", (s.getEndEpochNanos() - w.startEpochNanos) / 1e6);
            g.writeObjectFieldStart("attributes");
            attributes(g, s.getAttributes());
            g.writeEndObject();
            g.writeArrayFieldStart("events");
            for (EventData e : s.getEvents()) {
                g.writeStartObject();
                g.writeStringField("name", e.getName());
                g.writeNumberField("atMs", (e.getEpochNanos() - w.startEpochNanos) / 1e6);
                g.writeObjectFieldStart("attributes");
                attributes(g, e.getAttributes());
                g.writeEndObject();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("segments");
            for (Waterfall.Segment seg : row.segments()) {
                g.writeStartObject();
                g.writeStringField("kind", seg.kind());
                g.writeStringField("cause", seg.cause());
                g.writeStringField("label", seg.label());
                g.writeNumberField("startMs", seg.startNanos() / 1e6);
                g.writeNumberField("endMs", seg.endNanos() / 1e6);
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void attributes(JsonGenerator g, io.opentelemetry.api.common.Attributes attributes) throws IOException {
        List<Map.Entry<AttributeKey<?>, Object>> sorted = new ArrayList<>(attributes.asMap().entrySet());
        sorted.sort(Comparator.comparing(e -> e.getKey().getKey()));
        for (Map.Entry<AttributeKey<?>, Object> e : sorted) {
            Object v = e.getValue();
            String key = e.getKey().getKey();
            if (v instanceof Long l) {
                g.writeNumberField(key, l);
            } else if (v instanceof Double d) {
                g.writeNumberField(key, d);
            } else if (v instanceof Boolean b) {
                g.writeBooleanField(key, b);
            } else if (v instanceof List<?> list) {
                g.writeArrayFieldStart(key);
                for (Object item : list) {
                    g.writeString(String.valueOf(item));
                }
                g.writeEndArray();
            } else {
                g.writeStringField(key, String.valueOf(v));
            }
        }
    }
}
