package dev.zerver.otel.internal;

/**
 * The thresholds one request is judged by, fixed when it finished (route percentiles move on):
 * promotion thresholds, and the route percentiles its tail triggers compare with. All in
 * nanoseconds; a percentile is -1 while its route has fewer than 100 samples in the window.
 *
 * @param promoteQueueNanos a queue wait this long becomes a {@code job.queue_wait} span
 * @param promoteParkNanos a park episode this long becomes a {@code job.park({cause})} span
 * @param percentileThresholds whether the promotion thresholds are route percentiles (then a
 *     zero wait never reaches them)
 */
public record Limits(long promoteQueueNanos, long promoteParkNanos, boolean percentileThresholds,
        long p95DurationNanos, long p99DurationNanos, long p95QueueNanos, long p95ParkTotalNanos) {

    /** Fixed thresholds and no percentiles. */
    static Limits fixed(long promoteQueueNanos, long promoteParkNanos) {
        return new Limits(promoteQueueNanos, promoteParkNanos, false, -1, -1, -1, -1);
    }

    /** Whether a wait of {@code nanos} reaches a promotion threshold. */
    boolean reaches(long nanos, long threshold) {
        return nanos >= threshold && (nanos > 0 || !percentileThresholds);
    }
}
