package dev.zerver.internal.routing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Matches a method and path to a route.
 *
 * <p>Priority: more literal segments first, then fewer parameters (the wildcard counts as one),
 * then declaration order. HEAD is served by the GET route; a path that some route has but not
 * for the method answers 405 with {@code Allow}; OPTIONS answers {@code Allow}; nothing: 404.
 */
public final class Router {
    private final List<Route> routes;

    /**
     * @throws IllegalArgumentException if two routes have the same method and template shape
     */
    public Router(List<Route> declared) {
        for (int i = 0; i < declared.size(); i++) {
            for (int j = 0; j < i; j++) {
                Route a = declared.get(j);
                Route b = declared.get(i);
                if (a.method().equals(b.method()) && a.template().sameShape(b.template())) {
                    throw new IllegalArgumentException("duplicate route: " + b + " matches the same paths as " + a);
                }
            }
        }
        List<Route> sorted = new ArrayList<>(declared);
        sorted.sort(Comparator.comparingInt((Route r) -> -r.template().literalCount())
                .thenComparingInt(r -> r.template().paramCount())
                .thenComparingInt(Route::declarationOrder));
        this.routes = List.copyOf(sorted);
    }

    /** Routes in matching order. */
    public List<Route> routes() {
        return routes;
    }

    public RouteMatch match(String method, String rawPath) {
        List<String> segments;
        try {
            segments = splitPath(rawPath);
        } catch (IllegalArgumentException e) {
            return new RouteMatch.BadPath(e.getMessage());
        }
        boolean head = method.equals("HEAD");
        Set<String> allow = null;
        for (Route r : routes) {
            Map<String, String> params = r.template().match(segments);
            if (params == null) {
                continue;
            }
            if (r.method().equals(method)) {
                return new RouteMatch.Found(r, params, false);
            }
            if (head && r.method().equals("GET")) {
                return new RouteMatch.Found(r, params, true);
            }
            if (allow == null) {
                allow = new TreeSet<>();
            }
            allow.add(r.method());
        }
        if (allow == null) {
            return new RouteMatch.NotFound();
        }
        if (allow.contains("GET")) {
            allow.add("HEAD");
        }
        allow.add("OPTIONS");
        return method.equals("OPTIONS") ? new RouteMatch.Options(allow) : new RouteMatch.MethodNotAllowed(allow);
    }

    /**
     * Splits a raw path into percent-decoded segments: {@code /a/b%2Fc/} gives
     * {@code [a, b/c, ""]}.
     *
     * @throws IllegalArgumentException on a path not starting with '/' or bad percent-encoding
     */
    public static List<String> splitPath(String rawPath) {
        if (rawPath == null || !rawPath.startsWith("/")) {
            throw new IllegalArgumentException("the path must start with '/'");
        }
        List<String> out = new ArrayList<>(8);
        int start = 1;
        while (true) {
            int slash = rawPath.indexOf('/', start);
            String raw = slash < 0 ? rawPath.substring(start) : rawPath.substring(start, slash);
            out.add(decode(raw));
            if (slash < 0) {
                return out;
            }
            start = slash + 1;
        }
    }

    /** Percent-decodes one segment as UTF-8 ({@code +} stays {@code +}). */
    public static String decode(String raw) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length()) {
                    throw new IllegalArgumentException("truncated percent-encoding in '" + raw + "'");
                }
                int hi = Character.digit(raw.charAt(i + 1), 16);
                int lo = Character.digit(raw.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException("bad percent-encoding in '" + raw + "'");
                }
                bytes.write(hi * 16 + lo);
                i += 2;
            } else {
                byte[] utf8 = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(utf8, 0, utf8.length);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("percent-encoding in '" + raw + "' is not UTF-8");
        }
    }
}
