package dev.zerver.otel.internal;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Batches traces for a {@link SpanExporter} on its own thread, so that export never runs on a
 * request or worker thread.
 *
 * <p>Bounded by {@code maxQueueSize} spans. A request's spans enter together or not at all: when
 * they do not fit, the whole trace is dropped, counted, and reported in the log (at most once
 * every ten seconds), so that a collector that is down costs memory up to the bound and nothing
 * more. A batch holds whole traces (up to {@code maxBatchSize} spans, one trace if it alone is
 * bigger), which lets the console exporter print each request in one piece.
 *
 * <p>Why not the SDK's {@code BatchSpanProcessor}: it takes spans one by one and reports drops
 * only as a metric; Zerver hands over whole traces and reports drops to the operator directly.
 */
public final class ExportQueue implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ExportQueue.class.getName());
    private static final long REPORT_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final SpanExporter exporter;
    private final int maxQueueSize;
    private final int maxBatchSize;
    private final long scheduleDelayNanos;
    private final long exportTimeoutNanos;
    private final ConcurrentLinkedQueue<List<SpanData>> traces = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queuedSpans = new AtomicInteger();
    private final AtomicLong droppedSpans = new AtomicLong();
    private final AtomicLong exportedSpans = new AtomicLong();
    private final AtomicLong failedSpans = new AtomicLong();
    private final Thread thread;
    private volatile boolean closing;
    private final AtomicReference<CompletableResultCode> flushRequest = new AtomicReference<>();
    private long lastReportNanos;
    private long droppedAtLastReport;

    public ExportQueue(SpanExporter exporter, int maxQueueSize, int maxBatchSize, Duration scheduleDelay,
            Duration exportTimeout) {
        this.exporter = exporter;
        this.maxQueueSize = maxQueueSize;
        this.maxBatchSize = Math.min(maxBatchSize, maxQueueSize);
        this.scheduleDelayNanos = Math.max(1, scheduleDelay.toNanos());
        this.exportTimeoutNanos = exportTimeout.isZero() ? Long.MAX_VALUE : exportTimeout.toNanos();
        this.thread = new Thread(this::loop, "zerver-trace-export");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Queues one request's spans; returns false (and counts them dropped) when they do not fit. */
    public boolean offer(List<SpanData> trace) {
        int n = trace.size();
        while (true) {
            int queued = queuedSpans.get();
            if (closing || queued + n > maxQueueSize) {
                droppedSpans.addAndGet(n);
                return false;
            }
            if (queuedSpans.compareAndSet(queued, queued + n)) {
                break;
            }
        }
        traces.add(trace);
        if (queuedSpans.get() >= maxBatchSize) {
            LockSupport.unpark(thread);
        }
        return true;
    }

    /** Spans dropped because the queue was full (or closing). */
    public long droppedSpans() {
        return droppedSpans.get();
    }

    /** Spans the exporter accepted. */
    public long exportedSpans() {
        return exportedSpans.get();
    }

    /** Spans the exporter failed to deliver (after its own retries). */
    public long failedSpans() {
        return failedSpans.get();
    }

    /** Spans waiting for export; never more than the queue's size. */
    public int queuedSpans() {
        return queuedSpans.get();
    }

    /** Exports everything queued now; completes when done (or failed). */
    public CompletableResultCode flush() {
        // Callers that flush together share one request: none is left waiting on a lost one.
        CompletableResultCode request = flushRequest.updateAndGet(r -> r != null ? r : new CompletableResultCode());
        LockSupport.unpark(thread);
        return request;
    }

    /** Exports what is queued (within the export timeout), then shuts the exporter down. */
    @Override
    public void close() {
        closing = true;
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.NANOSECONDS.toMillis(Math.min(exportTimeoutNanos, TimeUnit.SECONDS.toNanos(30))) + 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        exporter.shutdown().join(5, TimeUnit.SECONDS);
    }

    private void loop() {
        long nextExport = System.nanoTime() + scheduleDelayNanos;
        while (true) {
            CompletableResultCode flush = flushRequest.get();
            boolean due = System.nanoTime() >= nextExport || queuedSpans.get() >= maxBatchSize;
            if (due || flush != null || closing) {
                drain();
                nextExport = System.nanoTime() + scheduleDelayNanos;
                if (flush != null) {
                    flushRequest.compareAndSet(flush, null);
                    flush.succeed();
                }
                if (closing && traces.isEmpty()) {
                    reportDrops(true);
                    return;
                }
            }
            reportDrops(false);
            LockSupport.parkNanos(this, Math.max(1, nextExport - System.nanoTime()));
        }
    }

    /** Exports batches until the queue is empty. */
    private void drain() {
        while (!traces.isEmpty()) {
            List<SpanData> batch = new ArrayList<>(Math.min(maxBatchSize, queuedSpans.get()));
            List<SpanData> next;
            while ((next = traces.peek()) != null && (batch.isEmpty() || batch.size() + next.size() <= maxBatchSize)) {
                traces.poll();
                batch.addAll(next);
            }
            queuedSpans.addAndGet(-batch.size());
            export(batch);
        }
    }

    private void export(List<SpanData> batch) {
        try {
            CompletableResultCode result = exporter.export(batch);
            result.join(exportTimeoutNanos, TimeUnit.NANOSECONDS);
            if (result.isSuccess()) {
                exportedSpans.addAndGet(batch.size());
            } else {
                failedSpans.addAndGet(batch.size());
            }
        } catch (RuntimeException e) {
            failedSpans.addAndGet(batch.size());
            LOG.log(Level.WARNING, "zerver: trace export failed", e);
        }
    }

    private void reportDrops(boolean last) {
        long dropped = droppedSpans.get();
        long now = System.nanoTime();
        if (dropped != droppedAtLastReport && (last || now - lastReportNanos >= REPORT_EVERY_NANOS)) {
            LOG.warning("zerver: trace export queue full (" + maxQueueSize + " spans): " + (dropped - droppedAtLastReport)
                    + " spans dropped since the last report, " + dropped + " in all; is the collector reachable?");
            droppedAtLastReport = dropped;
            lastReportNanos = now;
        }
    }
}
