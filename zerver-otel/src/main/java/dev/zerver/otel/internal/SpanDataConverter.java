package dev.zerver.otel.internal;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.data.StatusData;
import java.util.ArrayList;
import java.util.List;

/**
 * The slow path: an assembled {@link Trace} as the SDK's immutable {@link SpanData}, for a
 * user-supplied {@code SpanExporter} and for tools and tests that want SDK objects. The built-in
 * exporters never go through here.
 */
final class SpanDataConverter {
    private final Resource resource;
    private final InstrumentationScopeInfo scope;

    SpanDataConverter(Resource resource, InstrumentationScopeInfo scope) {
        this.resource = resource;
        this.scope = scope;
    }

    void convert(Trace t, List<SpanData> out) {
        SpanContext remote = t.remoteParentSpanId == 0 ? SpanContext.getInvalid()
                : SpanContext.createFromRemoteParent(t.traceIdHex, Ids.hex(t.remoteParentSpanId),
                        t.remoteParentSampled ? TraceFlags.getSampled() : TraceFlags.getDefault(), TraceState.getDefault());
        for (int i = 0; i < t.spanCount; i++) {
            TraceSpan s = t.span(i);
            SpanContext context = SpanContext.create(t.traceIdHex, Ids.hex(s.spanId), TraceFlags.getSampled(),
                    TraceState.getDefault());
            SpanContext parent = s.parentSpanId == 0 ? remote
                    : SpanContext.create(t.traceIdHex, Ids.hex(s.parentSpanId), TraceFlags.getSampled(), TraceState.getDefault());
            List<EventData> events = new ArrayList<>(s.exportedEvents);
            for (int k = 0; k < s.exportedEvents; k++) {
                int e = s.eventOrder[k];
                events.add(EventData.create(s.eventTimes[e], s.eventNames[e],
                        attributes(s.eventAttrs, s.eventAttrStart[e], s.eventAttrStart[e + 1])));
            }
            StatusData status = s.status == StatusCode.UNSET ? StatusData.unset()
                    : s.status == StatusCode.OK ? StatusData.ok()
                    : StatusData.create(StatusCode.ERROR, s.statusDescription == null ? "" : s.statusDescription);
            out.add(new ZerverSpanData(s.name, s.kind, context, parent, status, s.startEpochNanos, s.endEpochNanos,
                    attributes(s.attrs, 0, s.attrs.size), events, s.eventCount, resource, scope));
        }
    }

    @SuppressWarnings("unchecked")
    private static Attributes attributes(TraceSpan.Attrs a, int from, int to) {
        if (from == to) {
            return Attributes.empty();
        }
        AttributesBuilder b = Attributes.builder();
        for (int i = from; i < to; i++) {
            String key = a.keys[i].name;
            switch (a.types[i]) {
                case TraceSpan.STRING:
                    b.put(key, (String) a.refs[i]);
                    break;
                case TraceSpan.BOOL:
                    b.put(key, a.numbers[i] != 0);
                    break;
                case TraceSpan.LONG:
                    b.put(key, a.numbers[i]);
                    break;
                case TraceSpan.DOUBLE:
                    b.put(key, Double.longBitsToDouble(a.numbers[i]));
                    break;
                default:
                    b.put(AttributeKey.stringArrayKey(key), (List<String>) a.refs[i]);
            }
        }
        return b.build();
    }
}
