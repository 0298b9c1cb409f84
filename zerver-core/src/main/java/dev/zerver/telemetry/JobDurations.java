package dev.zerver.telemetry;

import java.util.List;

/**
 * The derived durations of one job, in nanoseconds, computed from its lifecycle timestamps.
 *
 * <p>They always add up: {@code queueWait + dispatch + parkWaitTotal + runActive == end - enqueue}.
 * A phase that did not happen (a job cancelled before it started, say) counts 0, and no
 * duration is ever negative: missing or out-of-order timestamps are clamped into
 * {@code [enqueue, end]} before the differences are taken.
 *
 * @param queueWait take - enqueue
 * @param dispatch start - take
 * @param parkWaitTotal the sum over park episodes of (resume - park)
 * @param runActive (end - start) - parkWaitTotal
 * @param parkCount the number of park episodes
 */
public record JobDurations(long queueWait, long dispatch, long parkWaitTotal, long runActive, int parkCount) {

    /** Nanoseconds to the milliseconds (as a double) used in exported attributes. */
    public static double millis(long nanos) {
        return nanos / 1_000_000.0;
    }

    /** The total, end - enqueue. */
    public long total() {
        return queueWait + dispatch + parkWaitTotal + runActive;
    }

    /**
     * Derives the durations. Any timestamp may be -1 (did not happen); {@code end} must be set.
     */
    public static JobDurations of(long enqueue, long take, long start, long end, List<ParkEpisode> parks) {
        if (enqueue < 0) {
            enqueue = take >= 0 ? take : (start >= 0 ? start : end);
        }
        end = Math.max(end, enqueue);
        long t = take < 0 ? end : clamp(take, enqueue, end);
        long s = start < 0 ? end : clamp(start, t, end);
        long parked = 0;
        long cursor = s;
        for (ParkEpisode p : parks) {
            // Episodes are sequential; clamping each to [cursor, end] keeps them disjoint.
            long from = clamp(p.parkNanos(), cursor, end);
            long to = clamp(p.resumed() ? p.resumeNanos() : end, from, end);
            parked += to - from;
            cursor = to;
        }
        return new JobDurations(t - enqueue, s - t, parked, (end - s) - parked, parks.size());
    }

    private static long clamp(long v, long lo, long hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
