package dev.zerver.effects.http;

/**
 * A token bucket as a generic cell rate algorithm: each call reserves the next free slot and is
 * told how long to wait for it. {@code burst} calls may go at once after a quiet period.
 */
final class RateLimiter {
    private final long intervalNanos;
    private final long burstNanos;
    private long theoreticalArrival;
    private boolean started;

    RateLimiter(double perSecond, int burst) {
        this.intervalNanos = (long) (1e9 / perSecond);
        this.burstNanos = (burst - 1) * intervalNanos;
    }

    /** Reserves a slot at {@code now}; returns the nanoseconds to wait before using it (0: go now). */
    synchronized long reserve(long now) {
        if (!started) {
            theoreticalArrival = now;
            started = true;
        }
        long tat = Math.max(theoreticalArrival, now);
        long wait = Math.max(0, tat - burstNanos - now);
        theoreticalArrival = tat + intervalNanos;
        return wait;
    }
}
