package dev.zerver.otel.internal;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.StatusData;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** A span being assembled: mutable while the record is walked, then frozen into {@link ZerverSpanData}. */
final class SpanDraft {
    /** A span never carries more events than this; the rest are counted in {@code zerver.events.dropped}. */
    static final int MAX_EVENTS = 128;

    final String spanId;
    final String parentSpanId;
    final String name;
    final SpanKind kind;
    long startNanos;
    long endNanos;
    final AttributesBuilder attributes = Attributes.builder();
    private final List<EventData> events = new ArrayList<>();
    private StatusCode status = StatusCode.UNSET;
    private String statusDescription = "";

    SpanDraft(String spanId, String parentSpanId, String name, SpanKind kind, long startNanos, long endNanos) {
        this.spanId = spanId;
        this.parentSpanId = parentSpanId;
        this.name = name;
        this.kind = kind;
        this.startNanos = startNanos;
        this.endNanos = endNanos;
    }

    SpanDraft put(String key, String value) {
        if (value != null) {
            attributes.put(key, value);
        }
        return this;
    }

    SpanDraft put(String key, long value) {
        attributes.put(key, value);
        return this;
    }

    SpanDraft put(String key, double value) {
        attributes.put(key, value);
        return this;
    }

    SpanDraft put(String key, boolean value) {
        attributes.put(key, value);
        return this;
    }

    SpanDraft put(String key, List<String> values) {
        attributes.put(AttributeKey.stringArrayKey(key), values);
        return this;
    }

    /** A value recorded by an effect handler: a string, a whole number, a double or a boolean. */
    SpanDraft putAny(String key, Object value) {
        if (value instanceof Boolean b) {
            return put(key, b.booleanValue());
        }
        if (value instanceof Double || value instanceof Float) {
            return put(key, ((Number) value).doubleValue());
        }
        if (value instanceof Number n) {
            return put(key, n.longValue());
        }
        return put(key, String.valueOf(value));
    }

    void event(long epochNanos, String name, Attributes attrs) {
        events.add(EventData.create(epochNanos, name, attrs));
    }

    void status(StatusCode code, String description) {
        status = code;
        statusDescription = description == null ? "" : description;
    }

    ZerverSpanData freeze(String traceId, SpanContext remoteParent, Resource resource, InstrumentationScopeInfo scope) {
        // Events in time order; equal times keep the order in which the transitions were recorded.
        List<EventData> sorted = new ArrayList<>(events);
        sorted.sort(Comparator.comparingLong(EventData::getEpochNanos));
        int total = sorted.size();
        if (total > MAX_EVENTS) {
            sorted = sorted.subList(0, MAX_EVENTS);
            attributes.put("zerver.events.dropped", (long) (total - MAX_EVENTS));
        }
        SpanContext context = SpanContext.create(traceId, spanId, TraceFlags.getSampled(), TraceState.getDefault());
        SpanContext parent = parentSpanId == null
                ? (remoteParent == null ? SpanContext.getInvalid() : remoteParent)
                : SpanContext.create(traceId, parentSpanId, TraceFlags.getSampled(), TraceState.getDefault());
        StatusData statusData = status == StatusCode.UNSET ? StatusData.unset()
                : status == StatusCode.OK ? StatusData.ok() : StatusData.create(StatusCode.ERROR, statusDescription);
        return new ZerverSpanData(name, kind, context, parent, statusData, startNanos, Math.max(startNanos, endNanos),
                attributes.build(), sorted, total, resource, scope);
    }
}
