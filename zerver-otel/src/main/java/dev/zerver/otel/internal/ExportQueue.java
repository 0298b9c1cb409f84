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
import java.util.function.Function;
import java.util.function.ToIntFunction;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns finished requests into spans and exports them in batches, all on its own thread: the
 * thread that hands a request over (a worker, or the event loop that wrote the response) only
 * queues it.
 *
 * <p>Bounded by {@code maxQueueSize} spans, counting each waiting request by its weight (about the
 * spans it will yield). A request enters whole or not at all: when it does not fit, it is
 * dropped, counted, and reported in the log (at most once every ten seconds), so that a collector
 * that is down costs memory up to the bound and nothing more. A batch holds whole traces (up to
 * {@code maxBatchSize} spans, one trace if it alone is bigger), which lets the console exporter
 * print each request in one piece.
 *
 * <p>Why not the SDK's {@code BatchSpanProcessor}: it takes finished spans one by one, so the
 * spans would have to be built on the caller's thread, and it reports drops only as a metric.
 *
 * @param <T> what is queued (a request record); {@code toSpans} returns null for a trace the
 *     sampler drops
 */
public final class ExportQueue<T> implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ExportQueue.class.getName());
    private static final long REPORT_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final SpanExporter exporter;
    private final Function<T, List<SpanData>> toSpans;
    private final ToIntFunction<T> weight;
    private final int maxQueueSize;
    private final int maxBatchSize;
    private final long scheduleDelayNanos;
    private final long exportTimeoutNanos;
    private final ConcurrentLinkedQueue<Pending<T>> pending = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queuedSpans = new AtomicInteger();
    private final AtomicLong droppedSpans = new AtomicLong();
    private final AtomicLong exportedSpans = new AtomicLong();
    private final AtomicLong failedSpans = new AtomicLong();
    private final Thread thread;
    private volatile boolean closing;
    private final AtomicReference<CompletableResultCode> flushRequest = new AtomicReference<>();
    private long lastReportNanos;
    private long droppedAtLastReport;

    private record Pending<T>(T item, int weight) {}

    public ExportQueue(SpanExporter exporter, Function<T, List<SpanData>> toSpans, ToIntFunction<T> weight,
            int maxQueueSize, int maxBatchSize, Duration scheduleDelay, Duration exportTimeout) {
        this.exporter = exporter;
        this.toSpans = toSpans;
        this.weight = weight;
        this.maxQueueSize = maxQueueSize;
        this.maxBatchSize = Math.min(maxBatchSize, maxQueueSize);
        this.scheduleDelayNanos = Math.max(1, scheduleDelay.toNanos());
        this.exportTimeoutNanos = exportTimeout.isZero() ? Long.MAX_VALUE : exportTimeout.toNanos();
        this.thread = new Thread(this::loop, "zerver-trace-export");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Queues one request; returns false (and counts its spans dropped) when it does not fit. */
    public boolean offer(T item) {
        int n = Math.max(1, weight.applyAsInt(item));
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
        pending.add(new Pending<>(item, n));
        if (queuedSpans.get() >= maxBatchSize) {
            LockSupport.unpark(thread);
        }
        return true;
    }

    /** Spans dropped because the queue was full (or closing), counted by the weight of their requests. */
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

    /** Spans waiting for export, by weight; never more than the queue's size. */
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
                if (closing && pending.isEmpty()) {
                    reportDrops(true);
                    return;
                }
            }
            reportDrops(false);
            LockSupport.parkNanos(this, Math.max(1, nextExport - System.nanoTime()));
        }
    }

    /** Builds and exports everything queued, in batches of whole traces. */
    private void drain() {
        List<SpanData> batch = new ArrayList<>();
        Pending<T> next;
        while ((next = pending.poll()) != null) {
            queuedSpans.addAndGet(-next.weight());
            List<SpanData> spans;
            try {
                spans = toSpans.apply(next.item());
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "zerver: could not build the spans of a request", e);
                continue;
            }
            if (spans == null || spans.isEmpty()) {
                continue;
            }
            if (!batch.isEmpty() && batch.size() + spans.size() > maxBatchSize) {
                export(batch);
                batch = new ArrayList<>();
            }
            batch.addAll(spans);
        }
        if (!batch.isEmpty()) {
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
