package dev.zerver.otel.viewer;

import dev.zerver.otel.internal.TraceExport;
import dev.zerver.telemetry.RequestRecord;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;

/**
 * The requests the viewer can show: the newest finished ones, bounded by count and by an upper
 * estimate of the memory their records hold, and apart from them the latest traces a tail trigger
 * kept. Adding is a reference appended under an uncontended lock; the records are the ones the
 * exporters read, never copied.
 */
final class Capture {
    /** A captured request; {@code seq} grows by one per capture, so pages can ask for what is new. */
    record Entry(long seq, TraceExport.Finished request, int bytes) {
        RequestRecord record() {
            return request.record();
        }
    }

    private final int maxRequests;
    private final long maxBytes;
    private final int maxTail;
    private final ArrayDeque<Entry> recent = new ArrayDeque<>();
    private final ArrayDeque<Entry> tail = new ArrayDeque<>();
    private long bytes;
    private long nextSeq = 1;

    Capture(int maxRequests, long maxBytes, int maxTail) {
        this.maxRequests = maxRequests;
        this.maxBytes = maxBytes;
        this.maxTail = maxTail;
    }

    /** A finished request (on the thread that finished it). */
    synchronized void add(TraceExport.Finished request) {
        Entry e = new Entry(nextSeq++, request, estimate(request.record()));
        recent.addLast(e);
        bytes += e.bytes();
        trim();
    }

    /** A trace a tail trigger kept (on the export thread): held apart from the newest. */
    synchronized void keep(TraceExport.Finished request) {
        if (maxTail == 0) {
            return;
        }
        Entry e = new Entry(nextSeq++, request, estimate(request.record()));
        tail.addLast(e);
        bytes += e.bytes();
        while (tail.size() > maxTail) {
            bytes -= tail.removeFirst().bytes();
        }
        trim();
    }

    private void trim() {
        while (recent.size() > maxRequests || (bytes > maxBytes && recent.size() + tail.size() > 1)) {
            Entry gone = !recent.isEmpty() ? recent.removeFirst() : tail.removeFirst();
            bytes -= gone.bytes();
        }
    }

    /** The newest requests first (tail-kept ones included, each request once). */
    synchronized List<Entry> newestFirst() {
        List<Entry> out = new ArrayList<>(recent.size() + tail.size());
        IdentityHashMap<RequestRecord, Boolean> seen = new IdentityHashMap<>();
        recent.descendingIterator().forEachRemaining(e -> {
            if (seen.put(e.record(), Boolean.TRUE) == null) {
                out.add(e);
            }
        });
        tail.forEach(e -> {
            if (seen.put(e.record(), Boolean.TRUE) == null) {
                out.add(e);
            }
        });
        out.sort(Comparator.comparingLong(Entry::seq).reversed());
        return out;
    }

    /** Every captured request of the trace, earliest start first (a request and those it called). */
    synchronized List<Entry> trace(String traceId) {
        List<Entry> out = new ArrayList<>();
        for (Entry e : newestFirst()) {
            if (e.record().traceId().equals(traceId)) {
                out.add(e);
            }
        }
        out.sort(Comparator.comparingLong(e -> e.record().startNanos()));
        return out;
    }

    synchronized int size() {
        return recent.size() + tail.size();
    }

    synchronized long bytes() {
        return bytes;
    }

    /**
     * An upper estimate of the memory a finished record holds: a fixed part for the request and
     * per step, effect, job and Need what their records and strings take on a 64-bit JVM.
     */
    static int estimate(RequestRecord r) {
        long n = 1024L + 2L * (length(r.path()) + length(r.query()) + length(r.userAgent()) + length(r.route()));
        n += 320L * r.steps().size() + 640L * r.effects().size() + 384L * r.jobs().size() + 192L * r.needs().size();
        return (int) Math.min(Integer.MAX_VALUE, n);
    }

    private static int length(String s) {
        return s == null ? 0 : s.length();
    }
}
