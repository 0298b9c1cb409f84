package dev.zerver;

import java.time.Duration;
import java.util.Objects;

/**
 * How an effect retries infrastructure failures (I/O errors, timeouts, 5xx from a peer);
 * application failures never retry. Each backoff parks the effect's job with cause
 * {@code timer}.
 *
 * <pre>{@code
 * RetryPolicy.attempts(3).backoff(Duration.ofMillis(50)).multiplier(2).cap(Duration.ofSeconds(1)).jitter(0.2)
 * }</pre>
 *
 * The backoff before attempt {@code n + 1} is {@code min(cap, initial * multiplier^(n-1))},
 * then spread by up to {@code ±jitter} of itself.
 */
public final class RetryPolicy {
    private static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, 1.0, Duration.ZERO, 0.0);

    private final int maxAttempts;
    private final Duration initialBackoff;
    private final double multiplier;
    private final Duration maxBackoff;
    private final double jitter;

    private RetryPolicy(int maxAttempts, Duration initialBackoff, double multiplier, Duration maxBackoff, double jitter) {
        this.maxAttempts = maxAttempts;
        this.initialBackoff = initialBackoff;
        this.multiplier = multiplier;
        this.maxBackoff = maxBackoff;
        this.jitter = jitter;
    }

    /** One attempt, no retry (the default). */
    public static RetryPolicy none() {
        return NONE;
    }

    /** Up to {@code maxAttempts} attempts in all, 100 ms initial backoff doubling up to 5 s, no jitter. */
    public static RetryPolicy attempts(int maxAttempts) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("retry needs at least 1 attempt, got " + maxAttempts);
        }
        return new RetryPolicy(maxAttempts, Duration.ofMillis(100), 2.0, Duration.ofSeconds(5), 0.0);
    }

    public RetryPolicy backoff(Duration initial) {
        if (initial == null || initial.isNegative()) {
            throw new IllegalArgumentException("retry backoff must be >= 0, got " + initial);
        }
        return new RetryPolicy(maxAttempts, initial, multiplier, maxBackoff, jitter);
    }

    public RetryPolicy multiplier(double factor) {
        if (!(factor >= 1.0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("retry multiplier must be >= 1, got " + factor);
        }
        return new RetryPolicy(maxAttempts, initialBackoff, factor, maxBackoff, jitter);
    }

    public RetryPolicy cap(Duration max) {
        if (max == null || max.isNegative()) {
            throw new IllegalArgumentException("retry cap must be >= 0, got " + max);
        }
        return new RetryPolicy(maxAttempts, initialBackoff, multiplier, max, jitter);
    }

    /** Spread each backoff by up to ±{@code fraction} of itself (0 to 1). */
    public RetryPolicy jitter(double fraction) {
        if (!(fraction >= 0.0 && fraction <= 1.0)) {
            throw new IllegalArgumentException("retry jitter must be from 0 to 1, got " + fraction);
        }
        return new RetryPolicy(maxAttempts, initialBackoff, multiplier, maxBackoff, fraction);
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    public Duration initialBackoff() {
        return initialBackoff;
    }

    public double multiplier() {
        return multiplier;
    }

    public Duration maxBackoff() {
        return maxBackoff;
    }

    public double jitter() {
        return jitter;
    }

    /**
     * The backoff in nanoseconds after attempt {@code attempt} failed.
     *
     * @param unitRandom a number in [0, 1) that places the jitter; pass 0.5 for none
     */
    public long backoffNanos(int attempt, double unitRandom) {
        double base = initialBackoff.toNanos() * Math.pow(multiplier, Math.max(0, attempt - 1));
        double capped = Math.min(base, (double) maxBackoff.toNanos());
        double spread = capped * jitter * (2 * unitRandom - 1);
        return Math.max(0L, Math.round(capped + spread));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RetryPolicy r && r.maxAttempts == maxAttempts && r.initialBackoff.equals(initialBackoff)
                && r.multiplier == multiplier && r.maxBackoff.equals(maxBackoff) && r.jitter == jitter;
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxAttempts, initialBackoff, multiplier, maxBackoff, jitter);
    }

    @Override
    public String toString() {
        return maxAttempts == 1 ? "no retry"
                : "retry(" + maxAttempts + " attempts, " + initialBackoff.toMillis() + "ms x" + multiplier + " cap "
                        + maxBackoff.toMillis() + "ms, jitter " + jitter + ")";
    }
}
