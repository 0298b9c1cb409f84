package dev.zerver.otel.internal;

import java.util.Set;

/** The HTTP method names of the semantic conventions, and the root span's name. */
final class HttpMethods {
    private static final Set<String> KNOWN =
            Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");

    private HttpMethods() {}

    /** The method, or {@code _OTHER} when it is not one the conventions name. */
    static String known(String method) {
        return KNOWN.contains(method) ? method : "_OTHER";
    }

    /** {@code http.server: GET /posts/{id}}; without a route when none matched. */
    static String serverSpanName(String knownMethod, String route) {
        return route == null ? "http.server: " + knownMethod : "http.server: " + knownMethod + " " + route;
    }
}
