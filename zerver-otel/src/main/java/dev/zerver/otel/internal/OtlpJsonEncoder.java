package dev.zerver.otel.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * Encodes assembled traces as an OTLP {@code ExportTraceServiceRequest} in the protobuf JSON
 * mapping that OTLP/HTTP JSON uses: lowerCamelCase field names, trace and span ids as hex (not
 * base64), enum values as integers, 64-bit integers (timestamps, {@code intValue}) as strings.
 * Reads the same {@link Trace} arrays as {@link OtlpProtoEncoder}. Not thread-safe.
 */
final class OtlpJsonEncoder implements BatchEncoder {
    private static final JsonFactory JSON = new JsonFactory();

    /** The request up to the spans' array, resource and scope included: the same for every batch. */
    private final byte[] head;
    private static final byte[] TAIL = "]}]}]}".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private final Bytes bytes = new Bytes();
    private int spansInBatch;

    OtlpJsonEncoder(Resource resource, InstrumentationScopeInfo scope) {
        Bytes h = new Bytes();
        try (JsonGenerator g = JSON.createGenerator(h)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_JSON_CONTENT);
            g.writeStartObject();
            g.writeArrayFieldStart("resourceSpans");
            g.writeStartObject();
            g.writeObjectFieldStart("resource");
            attributes(g, "attributes", resource.getAttributes());
            g.writeEndObject();
            g.writeArrayFieldStart("scopeSpans");
            g.writeStartObject();
            scope(g, scope);
            g.writeArrayFieldStart("spans");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.head = h.toByteArray();
    }

    /** A growable byte buffer whose array can be read without a copy. */
    static final class Bytes extends ByteArrayOutputStream {
        Bytes() {
            super(16 * 1024);
        }

        byte[] array() {
            return buf;
        }

        void truncate(int size) {
            count = size;
        }
    }

    @Override
    public void begin() {
        bytes.reset();
        bytes.writeBytes(head);
        spansInBatch = 0;
    }

    @Override
    public void add(Trace t) {
        int mark = bytes.size();
        int spans = spansInBatch;
        try (JsonGenerator g = JSON.createGenerator(bytes)) {
            g.setRootValueSeparator(null);
            for (int s = 0; s < t.spanCount; s++) {
                if (spans++ > 0) {
                    g.writeRaw(',');
                }
                span(g, t, t.span(s));
            }
        } catch (IOException | RuntimeException e) {
            bytes.truncate(mark);
            throw new IllegalStateException("could not encode a trace as OTLP/JSON", e);
        }
        spansInBatch = spans;
    }

    @Override
    public void finish() {
        bytes.writeBytes(TAIL);
    }

    @Override
    public byte[] buffer() {
        return bytes.array();
    }

    @Override
    public int offset() {
        return 0;
    }

    @Override
    public int length() {
        return bytes.size();
    }

    private static void span(JsonGenerator g, Trace t, TraceSpan s) throws IOException {
        g.writeStartObject();
        g.writeStringField("traceId", t.traceIdHex);
        g.writeStringField("spanId", Ids.hex(s.spanId));
        long parent = s.parentSpanId != 0 ? s.parentSpanId : t.remoteParentSpanId;
        if (parent != 0) {
            g.writeStringField("parentSpanId", Ids.hex(parent));
        }
        // bit 0: sampled; bit 8: whether the parent's remoteness is known; bit 9: the parent is remote
        g.writeNumberField("flags", 0x101 | (s.parentSpanId == 0 && t.remoteParentSpanId != 0 ? 0x200 : 0));
        g.writeStringField("name", s.name);
        g.writeNumberField("kind", OtlpProtoEncoder.kind(s.kind));
        g.writeStringField("startTimeUnixNano", Long.toString(s.startEpochNanos));
        g.writeStringField("endTimeUnixNano", Long.toString(s.endEpochNanos));
        attributes(g, s.attrs, 0, s.attrs.size);
        g.writeArrayFieldStart("events");
        for (int k = 0; k < s.exportedEvents; k++) {
            int e = s.eventOrder[k];
            g.writeStartObject();
            g.writeStringField("timeUnixNano", Long.toString(s.eventTimes[e]));
            g.writeStringField("name", s.eventNames[e]);
            attributes(g, s.eventAttrs, s.eventAttrStart[e], s.eventAttrStart[e + 1]);
            g.writeEndObject();
        }
        g.writeEndArray();
        if (s.eventCount > s.exportedEvents) {
            g.writeNumberField("droppedEventsCount", s.eventCount - s.exportedEvents);
        }
        g.writeObjectFieldStart("status");
        if (s.statusDescription != null && !s.statusDescription.isEmpty()) {
            g.writeStringField("message", s.statusDescription);
        }
        g.writeNumberField("code", s.status == StatusCode.OK ? 1 : s.status == StatusCode.ERROR ? 2 : 0);
        g.writeEndObject();
        g.writeEndObject();
    }

    /** An instrumentation scope as the OTLP JSON {@code scope} field. */
    static void scope(JsonGenerator g, InstrumentationScopeInfo scope) throws IOException {
        g.writeObjectFieldStart("scope");
        g.writeStringField("name", scope.getName());
        if (scope.getVersion() != null) {
            g.writeStringField("version", scope.getVersion());
        }
        g.writeEndObject();
    }

    /** SDK attributes (a resource's, a metric point's) as the OTLP JSON key-value list {@code field}. */
    static void attributes(JsonGenerator g, String field, Attributes attributes) throws IOException {
        g.writeArrayFieldStart(field);
        for (Map.Entry<AttributeKey<?>, Object> e : attributes.asMap().entrySet()) {
            g.writeStartObject();
            g.writeStringField("key", e.getKey().getKey());
            g.writeFieldName("value");
            anyValue(g, e.getValue());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void anyValue(JsonGenerator g, Object v) throws IOException {
        g.writeStartObject();
        if (v instanceof Long n) {
            g.writeStringField("intValue", n.toString());
        } else if (v instanceof Double d) {
            g.writeNumberField("doubleValue", d);
        } else if (v instanceof Boolean b) {
            g.writeBooleanField("boolValue", b);
        } else if (v instanceof List<?> list) {
            g.writeObjectFieldStart("arrayValue");
            g.writeArrayFieldStart("values");
            for (Object item : list) {
                anyValue(g, item);
            }
            g.writeEndArray();
            g.writeEndObject();
        } else {
            g.writeStringField("stringValue", String.valueOf(v));
        }
        g.writeEndObject();
    }

    @SuppressWarnings("unchecked")
    private static void attributes(JsonGenerator g, TraceSpan.Attrs a, int from, int to) throws IOException {
        g.writeArrayFieldStart("attributes");
        for (int i = from; i < to; i++) {
            g.writeStartObject();
            g.writeStringField("key", a.keys[i].name);
            g.writeObjectFieldStart("value");
            switch (a.types[i]) {
                case TraceSpan.STRING:
                    g.writeStringField("stringValue", (String) a.refs[i]);
                    break;
                case TraceSpan.BOOL:
                    g.writeBooleanField("boolValue", a.numbers[i] != 0);
                    break;
                case TraceSpan.LONG:
                    g.writeStringField("intValue", Long.toString(a.numbers[i]));
                    break;
                case TraceSpan.DOUBLE:
                    g.writeNumberField("doubleValue", Double.longBitsToDouble(a.numbers[i]));
                    break;
                default:
                    g.writeObjectFieldStart("arrayValue");
                    g.writeArrayFieldStart("values");
                    for (String v : (List<String>) a.refs[i]) {
                        g.writeStartObject();
                        g.writeStringField("stringValue", v);
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                    g.writeEndObject();
            }
            g.writeEndObject();
            g.writeEndObject();
        }
        g.writeEndArray();
    }
}
