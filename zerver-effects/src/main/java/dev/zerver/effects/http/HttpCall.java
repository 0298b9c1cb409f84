package dev.zerver.effects.http;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One outgoing HTTP request: method, URL, headers, body and a low-cardinality target name.
 * Immutable; every method validates at once and returns a changed copy.
 *
 * <p>Userinfo in the URL ({@code https://user:pass@host/}) becomes a Basic
 * {@code Authorization} header and is removed from the URL, so that it never reaches telemetry.
 */
public final class HttpCall {
    private static final Set<String> RESTRICTED = Set.of("connection", "content-length", "expect", "host", "upgrade",
            "traceparent");
    private static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD");
    // Compiled once: calls are made on every request.
    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Pattern TARGET = Pattern.compile("[A-Za-z0-9_.\\-]{1,64}");

    /** One request header. */
    public record Header(String name, String value) {}

    private final String method;
    private final URI uri;
    private final List<Header> headers;
    private final byte[] body;
    private final String target;

    private HttpCall(String method, URI uri, List<Header> headers, byte[] body, String target) {
        this.method = method;
        this.uri = uri;
        this.headers = List.copyOf(headers);
        this.body = body;
        this.target = target;
    }

    /** A request with no headers and no body; the target defaults to the URL's host. */
    public static HttpCall of(String method, String url) {
        String m = method == null ? "" : method.toUpperCase(Locale.ROOT);
        if (!METHODS.contains(m)) {
            throw new IllegalArgumentException("HTTP method must be one of " + METHODS + ", got '" + method + "'");
        }
        URI u;
        try {
            u = URI.create(url);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("not a valid URL: " + RedactedUrl.of(String.valueOf(url)));
        }
        if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https"))
                || u.getHost() == null) {
            throw new IllegalArgumentException("URL must be absolute http(s) with a host, got " + RedactedUrl.of(url));
        }
        List<Header> headers = new ArrayList<>();
        if (u.getRawUserInfo() != null) {
            String basic = Base64.getEncoder().encodeToString(
                    java.net.URLDecoder.decode(u.getRawUserInfo(), StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8));
            headers.add(new Header("authorization", "Basic " + basic));
            u = URI.create(u.getScheme() + "://" + u.getRawAuthority().substring(u.getRawUserInfo().length() + 1)
                    + (u.getRawPath() == null ? "" : u.getRawPath())
                    + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery()));
        }
        return new HttpCall(m, u, headers, null, u.getHost());
    }

    /** Adds a header; hop-by-hop and framing headers, and {@code traceparent} (set by Zerver), are refused. */
    public HttpCall header(String name, String value) {
        if (name == null || !HEADER_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a valid header name: '" + name + "'");
        }
        if (RESTRICTED.contains(name.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("header '" + name + "' is set by Zerver or the HTTP client, not by effects");
        }
        if (value == null || value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("header '" + name + "' needs a value without line breaks");
        }
        List<Header> more = new ArrayList<>(headers);
        more.add(new Header(name.toLowerCase(Locale.ROOT), value));
        return new HttpCall(method, uri, more, body, target);
    }

    /** The request body; not for GET or HEAD. */
    public HttpCall body(byte[] bytes) {
        if (method.equals("GET") || method.equals("HEAD")) {
            throw new IllegalArgumentException(method + " requests carry no body");
        }
        return new HttpCall(method, uri, headers, bytes.clone(), target);
    }

    /** A UTF-8 text body. */
    public HttpCall body(String text) {
        return body(text.getBytes(StandardCharsets.UTF_8));
    }

    /** The low-cardinality name this call is recorded under, limited and rate-limited by. */
    public HttpCall target(String name) {
        if (name == null || !TARGET.matcher(name).matches()) {
            throw new IllegalArgumentException("HTTP target must be a short name (letters, digits, _ . -), got '"
                    + name + "'");
        }
        return new HttpCall(method, uri, headers, body, name);
    }

    public String method() {
        return method;
    }

    public URI uri() {
        return uri;
    }

    public List<Header> headers() {
        return headers;
    }

    /** The body, or null. */
    public byte[] body() {
        return body == null ? null : body.clone();
    }

    public String target() {
        return target;
    }

    @Override
    public String toString() {
        return method + " " + RedactedUrl.of(uri.toString());
    }
}
