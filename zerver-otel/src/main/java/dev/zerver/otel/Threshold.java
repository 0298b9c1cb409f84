package dev.zerver.otel;

import java.util.Locale;

/**
 * A promotion threshold: a fixed number of milliseconds, or a route percentile ({@code p95},
 * {@code p99}) of the quantity over the metrics window.
 *
 * @param millis the fixed threshold, or -1 for a percentile
 * @param percentile 95 or 99 for a percentile threshold, else 0
 */
public record Threshold(double millis, int percentile) {
    /** The default: 5 ms. */
    public static final Threshold DEFAULT = millis(5);

    public Threshold {
        if (percentile == 0 && !(millis >= 0 && Double.isFinite(millis))) {
            throw new IllegalArgumentException("a threshold must be a finite number of milliseconds >= 0");
        }
        if (percentile != 0 && percentile != 95 && percentile != 99) {
            throw new IllegalArgumentException("percentile thresholds are p95 or p99");
        }
    }

    public static Threshold millis(double millis) {
        return new Threshold(millis, 0);
    }

    /** Parses {@code 12}, {@code 2.5}, {@code p95} or {@code p99}. */
    public static Threshold parse(String text) {
        String v = text.trim().toLowerCase(Locale.ROOT);
        if (v.equals("p95") || v.equals("p99")) {
            return new Threshold(-1, Integer.parseInt(v.substring(1)));
        }
        return millis(Double.parseDouble(v));
    }

    public boolean isPercentile() {
        return percentile != 0;
    }

    /** Whether a duration of {@code nanos} reaches a fixed threshold. */
    public boolean reachedBy(long nanos) {
        return nanos / 1_000_000.0 >= millis;
    }

    @Override
    public String toString() {
        return isPercentile() ? "p" + percentile : (millis == Math.rint(millis) ? String.valueOf((long) millis) : String.valueOf(millis));
    }
}
