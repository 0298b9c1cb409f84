package dev.zerver.spi;

/**
 * The one monotonic clock every lifecycle timestamp comes from, plus the wall clock used once per
 * request to map monotonic times to epoch time. Tests use {@code dev.zerver.testing.ManualClock}.
 */
public interface Clock {
    /** Monotonic nanoseconds; only differences mean anything. */
    long nanoTime();

    /** Nanoseconds since the Unix epoch. */
    long epochNanos();

    /** The system clock. */
    static Clock system() {
        return SystemClock.INSTANCE;
    }
}

final class SystemClock implements Clock {
    static final SystemClock INSTANCE = new SystemClock();

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public long epochNanos() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
