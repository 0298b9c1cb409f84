package dev.zerver.internal.http;

/**
 * A request refused before it reached the runtime (malformed, too large); answered in order with
 * the error body, then the connection is closed.
 */
record Rejection(int status, String what, String key) {}
