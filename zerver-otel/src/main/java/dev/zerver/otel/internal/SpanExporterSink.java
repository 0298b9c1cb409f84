package dev.zerver.otel.internal;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A user-supplied {@link SpanExporter}: each trace converted to SDK {@link SpanData} (the slower
 * path the built-in exporters avoid) and exported one batch at a time.
 */
final class SpanExporterSink implements TraceSink {
    private final SpanExporter exporter;
    private final SpanDataConverter converter;
    private final long timeoutNanos;

    SpanExporterSink(SpanExporter exporter, Resource resource, InstrumentationScopeInfo scope, long timeoutNanos) {
        this.exporter = exporter;
        this.converter = new SpanDataConverter(resource, scope);
        this.timeoutNanos = timeoutNanos;
    }

    private List<SpanData> batch = new ArrayList<>();

    @Override
    public void add(Trace trace) {
        int before = batch.size();
        try {
            converter.convert(trace, batch);
        } catch (RuntimeException e) {
            batch.subList(before, batch.size()).clear();
            throw e;
        }
    }

    @Override
    public void send(int count, int spans, Outcome outcome) {
        List<SpanData> batch = this.batch;
        this.batch = new ArrayList<>(batch.size());
        try {
            CompletableResultCode result = exporter.export(batch);
            result.join(timeoutNanos, TimeUnit.NANOSECONDS);
            if (result.isSuccess()) {
                outcome.delivered(count, spans);
            } else {
                outcome.failed(count, spans, exporter.getClass().getSimpleName() + " did not accept the batch");
            }
        } catch (RuntimeException e) {
            outcome.failed(count, spans, exporter.getClass().getSimpleName() + " threw " + e);
        }
    }

    @Override
    public boolean awaitIdle(long timeoutNanos) {
        return exporter.flush().join(timeoutNanos, TimeUnit.NANOSECONDS).isSuccess();
    }

    @Override
    public void shutdown() {
        exporter.shutdown().join(5, TimeUnit.SECONDS);
    }
}
