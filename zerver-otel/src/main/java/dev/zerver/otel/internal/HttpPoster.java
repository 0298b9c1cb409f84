package dev.zerver.otel.internal;

import java.util.concurrent.CompletableFuture;

/**
 * Posts one encoded batch to the OTLP/HTTP endpoint. Implementations: {@link PlainHttpPoster}
 * (plain {@code http://}, persistent HTTP/1.1 connections over blocking sockets) and
 * {@link JdkHttpPoster} (the JDK's HTTP client, for {@code https://}).
 */
interface HttpPoster {
    /** The endpoint's answer: its status and {@code Retry-After} header (or null). */
    record Reply(int status, String retryAfter) {}

    /**
     * Sends {@code body[0..length)}; completes with the reply, or exceptionally on a transport
     * error. The body array is not touched after the returned future completes.
     */
    CompletableFuture<Reply> post(byte[] body, int length, boolean gzip);

    void close();
}
