package dev.zerver;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.zerver.internal.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP response: status, headers and body. Immutable; {@link #status(int)} and
 * {@link #header(String, String)} return changed copies.
 *
 * <pre>{@code
 * Response.json(post).header("cache-control", "max-age=60")
 * }</pre>
 */
public final class Response {
    private final int status;
    private final List<Map.Entry<String, String>> headers;
    private final byte[] body;
    /** How the body was rendered ({@code json_encode} for {@link #json}), or null. */
    private final String renderPhase;

    private Response(int status, List<Map.Entry<String, String>> headers, byte[] body) {
        this(status, headers, body, null);
    }

    private Response(int status, List<Map.Entry<String, String>> headers, byte[] body, String renderPhase) {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("HTTP status must be 100..599, got " + status);
        }
        this.status = status;
        this.headers = headers;
        this.body = body;
        this.renderPhase = renderPhase;
    }

    /** 200 with {@code text/plain; charset=utf-8}. */
    public static Response text(String text) {
        return of(200, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    /** 200 with {@code text/html; charset=utf-8}. */
    public static Response html(String html) {
        return of(200, "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * 200 with the value encoded as JSON by Jackson.
     *
     * @throws IllegalArgumentException if Jackson cannot encode it
     */
    public static Response json(Object value) {
        try {
            return new Response(200, List.of(Map.entry("content-type", "application/json")),
                    Json.MAPPER.writeValueAsBytes(value), "json_encode");
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot encode " + value.getClass().getName() + " as JSON: "
                    + e.getOriginalMessage(), e);
        }
    }

    /** 200 with these bytes and content type. */
    public static Response bytes(byte[] body, String contentType) {
        return of(200, contentType, body.clone());
    }

    /** This status with an empty body. */
    public static Response empty(int status) {
        return new Response(status, List.of(), new byte[0]);
    }

    private static Response of(int status, String contentType, byte[] body) {
        return new Response(status, List.of(Map.entry("content-type", contentType)), body);
    }

    /** The same response with another status. */
    public Response status(int code) {
        return new Response(code, headers, body, renderPhase);
    }

    /** The same response with this header set (replacing a header of the same name). */
    public Response header(String name, String value) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (!isToken(lower) || value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("invalid header: '" + name + "'");
        }
        List<Map.Entry<String, String>> copy = new ArrayList<>(headers.size() + 1);
        for (Map.Entry<String, String> h : headers) {
            if (!h.getKey().equals(lower)) {
                copy.add(h);
            }
        }
        copy.add(Map.entry(lower, value));
        return new Response(status, List.copyOf(copy), body, renderPhase);
    }

    /** An HTTP token (RFC 9110 tchar), checked without a regular expression: this runs per response. */
    private static boolean isToken(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || "!#$%&'*+.^_`|~-".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** {@code json_encode} when {@link #json} encoded the body; null otherwise. The runtime records it on the step. */
    public String renderPhase() {
        return renderPhase;
    }

    public int status() {
        return status;
    }

    /** Header names are lowercase, in the order they were set. */
    public List<Map.Entry<String, String>> headers() {
        return headers;
    }

    /** The first value of a header (name case-insensitive), or null. */
    public String header(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (Map.Entry<String, String> h : headers) {
            if (h.getKey().equals(lower)) {
                return h.getValue();
            }
        }
        return null;
    }

    /** The body; do not modify the array. */
    public byte[] body() {
        return body;
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "Response(" + status + ", " + body.length + " bytes)";
    }
}
