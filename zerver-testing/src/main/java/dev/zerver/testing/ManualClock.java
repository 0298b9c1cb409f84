package dev.zerver.testing;

import dev.zerver.spi.Clock;
import java.time.Duration;

/** A clock that moves only when told. Starts at monotonic 0 and a fixed epoch time. */
public final class ManualClock implements Clock {
    /** 2026-01-01T00:00:00Z in nanoseconds. */
    public static final long DEFAULT_EPOCH_NANOS = 1_767_225_600_000_000_000L;

    private volatile long nanos;
    private final long epochAtZero;

    public ManualClock() {
        this(DEFAULT_EPOCH_NANOS);
    }

    public ManualClock(long epochNanosAtZero) {
        this.epochAtZero = epochNanosAtZero;
    }

    @Override
    public long nanoTime() {
        return nanos;
    }

    @Override
    public long epochNanos() {
        return epochAtZero + nanos;
    }

    /** Moves time forward (never back). */
    public synchronized void advance(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("time only moves forward: " + d);
        }
        nanos += d.toNanos();
    }

    synchronized void set(long value) {
        if (value < nanos) {
            throw new IllegalArgumentException("time only moves forward");
        }
        nanos = value;
    }
}
