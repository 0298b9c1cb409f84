package dev.zerver.otel.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes spans as an OTLP {@code ExportTraceServiceRequest} in the protobuf JSON mapping that
 * OTLP/HTTP JSON uses: lowerCamelCase field names, trace and span ids as hex (not base64), enum
 * values as integers, 64-bit integers (timestamps, {@code intValue}) as strings.
 */
public final class OtlpJsonEncoder {
    private static final JsonFactory JSON = new JsonFactory();

    private OtlpJsonEncoder() {}

    public static byte[] encode(Collection<SpanData> spans) {
        Map<Resource, Map<InstrumentationScopeInfo, List<SpanData>>> grouped = new LinkedHashMap<>();
        for (SpanData s : spans) {
            grouped.computeIfAbsent(s.getResource(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(s.getInstrumentationScopeInfo(), k -> new ArrayList<>()).add(s);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 * spans.size() + 64);
        try (JsonGenerator g = JSON.createGenerator(bytes)) {
            g.writeStartObject();
            g.writeArrayFieldStart("resourceSpans");
            for (Map.Entry<Resource, Map<InstrumentationScopeInfo, List<SpanData>>> r : grouped.entrySet()) {
                g.writeStartObject();
                g.writeObjectFieldStart("resource");
                attributes(g, r.getKey().getAttributes());
                g.writeEndObject();
                g.writeArrayFieldStart("scopeSpans");
                for (Map.Entry<InstrumentationScopeInfo, List<SpanData>> sc : r.getValue().entrySet()) {
                    g.writeStartObject();
                    g.writeObjectFieldStart("scope");
                    g.writeStringField("name", sc.getKey().getName());
                    if (sc.getKey().getVersion() != null) {
                        g.writeStringField("version", sc.getKey().getVersion());
                    }
                    g.writeEndObject();
                    g.writeArrayFieldStart("spans");
                    for (SpanData s : sc.getValue()) {
                        span(g, s);
                    }
                    g.writeEndArray();
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void span(JsonGenerator g, SpanData s) throws IOException {
        g.writeStartObject();
        g.writeStringField("traceId", s.getTraceId());
        g.writeStringField("spanId", s.getSpanId());
        if (s.getParentSpanContext().isValid()) {
            g.writeStringField("parentSpanId", s.getParentSpanId());
        }
        int flags = s.getSpanContext().getTraceFlags().asByte() & 0xff;
        // bit 8: whether the parent's remoteness is known; bit 9: the parent is remote
        flags |= 0x100;
        if (s.getParentSpanContext().isRemote()) {
            flags |= 0x200;
        }
        g.writeNumberField("flags", flags);
        g.writeStringField("name", s.getName());
        g.writeNumberField("kind", kind(s.getKind()));
        g.writeStringField("startTimeUnixNano", Long.toString(s.getStartEpochNanos()));
        g.writeStringField("endTimeUnixNano", Long.toString(s.getEndEpochNanos()));
        attributes(g, s.getAttributes());
        g.writeArrayFieldStart("events");
        for (EventData e : s.getEvents()) {
            g.writeStartObject();
            g.writeStringField("timeUnixNano", Long.toString(e.getEpochNanos()));
            g.writeStringField("name", e.getName());
            attributes(g, e.getAttributes());
            g.writeEndObject();
        }
        g.writeEndArray();
        int droppedEvents = s.getTotalRecordedEvents() - s.getEvents().size();
        if (droppedEvents > 0) {
            g.writeNumberField("droppedEventsCount", droppedEvents);
        }
        g.writeObjectFieldStart("status");
        if (!s.getStatus().getDescription().isEmpty()) {
            g.writeStringField("message", s.getStatus().getDescription());
        }
        g.writeNumberField("code", statusCode(s.getStatus().getStatusCode()));
        g.writeEndObject();
        g.writeEndObject();
    }

    /** {@code SpanKind} of the OTLP proto. */
    private static int kind(SpanKind kind) {
        switch (kind) {
            case SERVER:
                return 2;
            case CLIENT:
                return 3;
            case PRODUCER:
                return 4;
            case CONSUMER:
                return 5;
            default:
                return 1;
        }
    }

    /** {@code Status.StatusCode} of the OTLP proto. */
    private static int statusCode(StatusCode code) {
        return code == StatusCode.OK ? 1 : code == StatusCode.ERROR ? 2 : 0;
    }

    private static void attributes(JsonGenerator g, Attributes attributes) throws IOException {
        g.writeArrayFieldStart("attributes");
        for (Map.Entry<AttributeKey<?>, Object> a : attributes.asMap().entrySet()) {
            g.writeStartObject();
            g.writeStringField("key", a.getKey().getKey());
            g.writeFieldName("value");
            value(g, a.getValue());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void value(JsonGenerator g, Object v) throws IOException {
        g.writeStartObject();
        if (v instanceof String s) {
            g.writeStringField("stringValue", s);
        } else if (v instanceof Boolean b) {
            g.writeBooleanField("boolValue", b);
        } else if (v instanceof Long || v instanceof Integer) {
            g.writeStringField("intValue", v.toString());
        } else if (v instanceof Double d) {
            g.writeNumberField("doubleValue", d);
        } else if (v instanceof List<?> list) {
            g.writeObjectFieldStart("arrayValue");
            g.writeArrayFieldStart("values");
            for (Object item : list) {
                value(g, item);
            }
            g.writeEndArray();
            g.writeEndObject();
        } else {
            g.writeStringField("stringValue", String.valueOf(v));
        }
        g.writeEndObject();
    }
}
