package dev.zerver.telemetry;

/** Why a job stopped making progress. The wire value is {@link #value()}. */
public enum ParkCause {
    /** Waiting for an I/O result: a JDBC call in flight, an HTTP response, a cache round trip. */
    IO_WAIT("io_wait"),
    /** A token-bucket limiter on the effect's target had no token. */
    RATE_LIMIT("rate_limit"),
    /** A bounded resource was full: a connection pool, a concurrency limit, a downstream queue. */
    BACKPRESSURE("backpressure"),
    /** An exclusive resource was held by another job. */
    LOCK("lock"),
    /** A deliberate wait: retry backoff, a timer effect. */
    TIMER("timer"),
    /** Anything else; the park token says what. */
    OTHER("other");

    private final String value;

    ParkCause(String value) {
        this.value = value;
    }

    /** The lowercase name used in telemetry, e.g. {@code io_wait}. */
    public String value() {
        return value;
    }
}
