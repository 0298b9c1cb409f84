package dev.zerver.otel.internal;

import io.opentelemetry.sdk.common.CompletableResultCode;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Logger;

/**
 * Hands finished requests from the threads that served them to one export thread, which
 * assembles their traces into reused {@link Trace} objects and passes batches to a
 * {@link TraceSink}. The serving thread only queues a reference.
 *
 * <p>Bounded by {@code maxQueueSize} spans, counting each waiting request by an upper estimate of
 * its spans. A request enters whole or not at all. What is lost is counted exactly, in traces and
 * spans, in one pair of counters: requests refused because the queue was full, and batches the
 * sink gave up on after its retries. Losses are logged in one line at most every ten seconds.
 *
 * <p>A batch holds whole traces, up to {@code maxBatchSize} spans (one trace if it alone is
 * bigger). Each trace is assembled into one reused {@link Trace} and handed to the sink at once
 * (the OTLP sinks encode it there, while it is in the cache). Sinks keep a few batches in flight,
 * so assembling and encoding the next batch overlaps sending the previous ones.
 *
 * @param <T> what is queued (a finished request and its head decision)
 */
public final class ExportQueue<T> implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ExportQueue.class.getName());
    private static final long REPORT_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** What the queue needs to know about an item. */
    interface Source<T> {
        /** At least as many spans as the item yields: what it occupies in the queue. */
        int weight(T item);

        /** Assembles the item's trace into {@code into}; false when sampling drops it. */
        boolean assemble(T item, Trace into);

        /** The spans the item would have exported (0 when sampling drops it): counted when it is lost. */
        int exportableSpans(T item);
    }

    private final TraceSink sink;
    private final Source<T> source;
    private final int maxQueueSize;
    private final int maxBatchSize;
    private final long scheduleDelayNanos;
    private final long exportTimeoutNanos;
    private final ConcurrentLinkedQueue<Pending<T>> pending = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queuedSpans = new AtomicInteger();
    private final AtomicLong droppedSpans = new AtomicLong();
    private final AtomicLong droppedTraces = new AtomicLong();
    private final AtomicLong exportedSpans = new AtomicLong();
    private final AtomicLong exportedTraces = new AtomicLong();
    private final AtomicReference<String> lastFailure = new AtomicReference<>();
    private final AtomicReference<CompletableResultCode> flushRequest = new AtomicReference<>();
    private final Thread thread;
    private volatile boolean closing;
    private long lastReportNanos;
    private long droppedAtLastReport;
    // The export thread's one reused trace, and the size of the batch the sink is building.
    private final Trace trace = new Trace();
    private int batchCount;
    private int batchSpans;

    private record Pending<T>(T item, int weight) {}

    private final TraceSink.Outcome outcome = new TraceSink.Outcome() {
        @Override
        public void delivered(int traces, int spans) {
            exportedTraces.addAndGet(traces);
            exportedSpans.addAndGet(spans);
        }

        @Override
        public void failed(int traces, int spans, String why) {
            lost(traces, spans, why);
        }
    };

    public ExportQueue(TraceSink sink, Source<T> source, int maxQueueSize, int maxBatchSize, Duration scheduleDelay,
            Duration exportTimeout) {
        this.sink = sink;
        this.source = source;
        this.maxQueueSize = maxQueueSize;
        this.maxBatchSize = Math.max(1, Math.min(maxBatchSize, maxQueueSize));
        this.scheduleDelayNanos = Math.max(1, scheduleDelay.toNanos());
        this.exportTimeoutNanos = exportTimeout.isZero() ? TimeUnit.SECONDS.toNanos(30) : exportTimeout.toNanos();
        this.thread = new Thread(this::loop, "zerver-trace-export");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Queues one request; returns false (and counts what it would have exported as dropped) when it does not fit. */
    public boolean offer(T item) {
        int n = Math.max(1, source.weight(item));
        while (true) {
            int queued = queuedSpans.get();
            if (closing || queued + n > maxQueueSize) {
                int spans = source.exportableSpans(item);
                if (spans > 0) {
                    droppedTraces.incrementAndGet();
                    droppedSpans.addAndGet(spans);
                    lastFailure.compareAndSet(null, "export queue full (" + maxQueueSize + " spans)");
                }
                return false;
            }
            if (queuedSpans.compareAndSet(queued, queued + n)) {
                break;
            }
        }
        pending.add(new Pending<>(item, n));
        if (queuedSpans.get() >= maxBatchSize) {
            LockSupport.unpark(thread);
        }
        return true;
    }

    /** Spans lost: refused by a full queue, or given up on by the exporter after its retries. */
    public long droppedSpans() {
        return droppedSpans.get();
    }

    /** Traces lost, counted as {@link #droppedSpans()}. */
    public long droppedTraces() {
        return droppedTraces.get();
    }

    /** Spans the exporter delivered. */
    public long exportedSpans() {
        return exportedSpans.get();
    }

    public long exportedTraces() {
        return exportedTraces.get();
    }

    /** Spans waiting for export (an upper estimate); never more than the queue's size. */
    public int queuedSpans() {
        return queuedSpans.get();
    }

    /** Exports everything queued now and waits for what is in flight; completes when done. */
    public CompletableResultCode flush() {
        // Callers that flush together share one request: none is left waiting on a lost one.
        CompletableResultCode request = flushRequest.updateAndGet(r -> r != null ? r : new CompletableResultCode());
        LockSupport.unpark(thread);
        return request;
    }

    /**
     * Exports what is queued (within the export timeout), then shuts the sink down. When the sink
     * is still busy after that (a collector that does not answer), the export thread is
     * interrupted: it stops waiting for the sink, and every request still queued is assembled all
     * the same (its metrics recorded) and counted as dropped, so that nothing is lost uncounted.
     */
    @Override
    public void close() {
        closing = true;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.NANOSECONDS.toMillis(exportTimeoutNanos) + 1000);
            if (thread.isAlive()) {
                thread.interrupt();
                thread.join(TimeUnit.SECONDS.toMillis(10));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sink.shutdown();
        if (!thread.isAlive()) {
            report(true); // what the sink gave up on while shutting down
        }
    }

    private void loop() {
        long delay = sink.interactive() ? Math.min(scheduleDelayNanos, TimeUnit.MILLISECONDS.toNanos(100)) : scheduleDelayNanos;
        long nextExport = System.nanoTime() + delay;
        while (true) {
            CompletableResultCode flush = flushRequest.get();
            boolean timeUp = System.nanoTime() - nextExport >= 0;
            boolean full = queuedSpans.get() >= maxBatchSize;
            if (timeUp || full || flush != null || closing) {
                // A partial batch waits for the schedule delay: sampling may keep few of the queued traces.
                boolean sendPartial = timeUp || flush != null || closing;
                drain(sendPartial);
                if (sendPartial) {
                    nextExport = System.nanoTime() + delay;
                }
                if (flush != null || closing) {
                    sink.awaitIdle(exportTimeoutNanos);
                }
                if (flush != null) {
                    flushRequest.compareAndSet(flush, null);
                    flush.succeed();
                }
                if (closing && pending.isEmpty()) {
                    report(true);
                    return;
                }
            }
            report(false);
            LockSupport.parkNanos(this, Math.max(1, Math.min(nextExport - System.nanoTime(), REPORT_EVERY_NANOS)));
        }
    }

    /**
     * Assembles everything queued into the one reused trace and hands each to the sink, which
     * encodes it while it is in the cache; sends each batch when full, and the last, partial one
     * only if {@code sendPartial}.
     */
    private void drain(boolean sendPartial) {
        Pending<T> next;
        while ((next = pending.poll()) != null) {
            queuedSpans.addAndGet(-next.weight());
            boolean kept;
            try {
                kept = source.assemble(next.item(), trace);
            } catch (RuntimeException e) {
                // never built, so its spans are not known: its queue weight bounds them
                lost(1, next.weight(), "could not assemble the trace of a request: " + e);
                continue;
            }
            if (!kept) {
                continue;
            }
            if (batchCount > 0 && batchSpans + trace.spanCount > maxBatchSize) {
                sendBatch();
            }
            if (givingUp()) {
                lost(1, trace.spanCount, GAVE_UP);
                continue;
            }
            try {
                sink.add(trace);
            } catch (RuntimeException e) {
                lost(1, trace.spanCount, givingUp() ? GAVE_UP : "could not encode the trace of a request: " + e);
                continue;
            }
            batchCount++;
            batchSpans += trace.spanCount;
            if (batchSpans >= maxBatchSize) {
                sendBatch();
            }
        }
        if (batchCount > 0 && sendPartial) {
            sendBatch();
        }
    }

    private static final String GAVE_UP = "shutting down: the exporter did not finish within the export timeout";

    /** Whether {@link #close} stopped waiting for the sink (it interrupts the export thread). */
    private boolean givingUp() {
        return closing && Thread.currentThread().isInterrupted();
    }

    private void sendBatch() {
        int count = batchCount;
        int spans = batchSpans;
        batchCount = 0;
        batchSpans = 0;
        try {
            sink.send(count, spans, outcome);
        } catch (RuntimeException e) {
            outcome.failed(count, spans, "exporter threw " + e);
        }
    }

    private void lost(int traces, int spans, String why) {
        droppedTraces.addAndGet(traces);
        droppedSpans.addAndGet(spans);
        lastFailure.set(why);
    }

    private void report(boolean last) {
        long dropped = droppedSpans.get();
        long now = System.nanoTime();
        if (dropped != droppedAtLastReport && (last || now - lastReportNanos >= REPORT_EVERY_NANOS)) {
            String why = lastFailure.getAndSet(null);
            LOG.warning("zerver: " + (dropped - droppedAtLastReport) + " spans not exported since the last report ("
                    + droppedTraces.get() + " traces, " + dropped + " spans in all); last cause: " + why);
            droppedAtLastReport = dropped;
            lastReportNanos = now;
        }
    }
}
