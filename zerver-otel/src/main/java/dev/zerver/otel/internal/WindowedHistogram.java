package dev.zerver.otel.internal;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Durations over a sliding window, for route percentiles: log-linear buckets (8 per power of two
 * of microseconds, so a percentile is within 12.5% of the true value) in a ring of time slots
 * that together span the window. Bounded memory whatever the traffic: {@value #SLOTS} x
 * {@value #BUCKETS} counters.
 *
 * <p>Recording is two atomic increments and no lock, except once per slot (when the ring turns),
 * under this histogram's own monitor. Reading a percentile is a volatile read of a snapshot that
 * is recomputed at most once per {@link #REFRESH_NANOS} of clock time, and sooner only while the
 * window is warming and enough samples have come in since to reach {@link #MIN_SAMPLES}, so that a
 * warming route is judged as soon as it can be without a recount per request.
 * Times are those of the runtime's clock, so a test's manual clock drives the window.
 */
final class WindowedHistogram {
    /** Below this many samples in the window a percentile is unknown. */
    static final int MIN_SAMPLES = 100;
    static final int SLOTS = 6;
    /** 8 exact buckets below 8 us, then 8 per power of two up to 2^36 us (19 hours). */
    static final int BUCKETS = 8 + 34 * 8;
    static final long REFRESH_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final long slotNanos;
    private final AtomicLongArray counts = new AtomicLongArray(SLOTS * BUCKETS);
    private final AtomicLongArray slotEpoch = new AtomicLongArray(SLOTS);
    /** Samples recorded since creation: tells a warming window whether a recount could reach the minimum. */
    private final LongAdder recorded = new LongAdder();
    private volatile Snapshot snapshot = new Snapshot(Long.MIN_VALUE, 0, -1, -1, 0);

    /**
     * Percentiles as of {@code atNanos}: -1 while fewer than {@link #MIN_SAMPLES} were in the
     * window. {@code recordedAt}: the recorded count when it was taken.
     */
    record Snapshot(long atNanos, long samples, long p95Nanos, long p99Nanos, long recordedAt) {}

    WindowedHistogram(long windowNanos) {
        this.slotNanos = Math.max(1, windowNanos / SLOTS);
        for (int i = 0; i < SLOTS; i++) {
            slotEpoch.set(i, Long.MIN_VALUE);
        }
    }

    void record(long valueNanos, long nowNanos) {
        long epoch = Math.floorDiv(nowNanos, slotNanos);
        int slot = Math.floorMod(epoch, SLOTS);
        if (slotEpoch.get(slot) != epoch) {
            turn(slot, epoch);
        }
        counts.incrementAndGet(slot * BUCKETS + bucket(valueNanos));
        recorded.increment();
    }

    private synchronized void turn(int slot, long epoch) {
        if (slotEpoch.get(slot) >= epoch) {
            return;
        }
        for (int i = slot * BUCKETS, end = i + BUCKETS; i < end; i++) {
            counts.set(i, 0);
        }
        slotEpoch.set(slot, epoch); // after the zeros: a recorder seeing the new epoch sees them
    }

    /** The window's percentiles as of {@code nowNanos}, recomputed only when stale. */
    Snapshot read(long nowNanos) {
        Snapshot s = snapshot;
        if (nowNanos - s.atNanos() < REFRESH_NANOS
                && (s.samples() >= MIN_SAMPLES || recorded.sum() - s.recordedAt() < MIN_SAMPLES - s.samples())) {
            return s; // fresh; or still warming, and too few new samples to change that
        }
        return recompute(nowNanos);
    }

    private synchronized Snapshot recompute(long nowNanos) {
        long recordedNow = recorded.sum(); // before counting: later samples make the next read recount
        long[] merged = new long[BUCKETS];
        long total = merge(nowNanos, merged);
        Snapshot s = total < MIN_SAMPLES ? new Snapshot(nowNanos, total, -1, -1, recordedNow)
                : new Snapshot(nowNanos, total, upperEdge(merged, total, 0.95), upperEdge(merged, total, 0.99), recordedNow);
        snapshot = s;
        return s;
    }

    /**
     * The sample count in the window, then the upper bucket edge of each quantile asked for (-1 when
     * the window is empty), with no minimum count: for display, not for judging requests.
     */
    synchronized long[] quantiles(long nowNanos, double... qs) {
        long[] merged = new long[BUCKETS];
        long total = merge(nowNanos, merged);
        long[] out = new long[1 + qs.length];
        out[0] = total;
        for (int i = 0; i < qs.length; i++) {
            out[i + 1] = total == 0 ? -1 : upperEdge(merged, total, qs[i]);
        }
        return out;
    }

    /** Adds the counts of the slots inside the window into {@code merged}; returns their total. */
    private long merge(long nowNanos, long[] merged) {
        long epoch = Math.floorDiv(nowNanos, slotNanos);
        long total = 0;
        for (int slot = 0; slot < SLOTS; slot++) {
            long e = slotEpoch.get(slot);
            if (e > epoch || e <= epoch - SLOTS) {
                continue; // outside the window
            }
            for (int b = 0; b < BUCKETS; b++) {
                long c = counts.get(slot * BUCKETS + b);
                merged[b] += c;
                total += c;
            }
        }
        return total;
    }

    /** The upper edge, in nanoseconds, of the bucket holding the {@code q} quantile. */
    private static long upperEdge(long[] merged, long total, double q) {
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int b = 0; b < BUCKETS; b++) {
            seen += merged[b];
            if (seen >= rank) {
                return upperEdgeNanos(b);
            }
        }
        return upperEdgeNanos(BUCKETS - 1);
    }

    static int bucket(long nanos) {
        long us = Math.max(0, nanos) / 1000;
        if (us < 8) {
            return (int) us;
        }
        int msb = 63 - Long.numberOfLeadingZeros(us);
        int index = (msb - 2) * 8 + (int) ((us >>> (msb - 3)) & 7);
        return Math.min(index, BUCKETS - 1);
    }

    static long upperEdgeNanos(int bucket) {
        if (bucket < 8) {
            return (bucket + 1) * 1000L;
        }
        int msb = bucket / 8 + 2;
        int sub = bucket % 8;
        return ((8L + sub + 1) << (msb - 3)) * 1000L;
    }
}
