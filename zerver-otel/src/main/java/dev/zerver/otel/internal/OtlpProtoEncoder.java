package dev.zerver.otel.internal;

import com.google.protobuf.CodedOutputStream;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.AttributeType;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;

/**
 * Encodes assembled traces as an OTLP {@code ExportTraceServiceRequest} in protobuf, straight from
 * the {@link Trace} arrays into a buffer it reuses: no SDK span objects, no per-attribute key
 * objects (keys arrive pre-encoded, {@link AttrKey#protoKey}), and the resource and scope encoded
 * once. Field numbers are those of {@code opentelemetry-proto} ({@code trace/v1/trace.proto},
 * {@code common/v1/common.proto}); the wire primitives are protobuf-java's
 * {@link CodedOutputStream}.
 *
 * <p>Each trace is encoded as it is added, in one pass: its spans' bodies go into a reused
 * scratch array, where each one's length is then known, and each is copied into the batch behind
 * its tag and length (one copy costs less than measuring every nested message before writing it).
 * Names and attribute values met before (most of them: see {@link SeenValues}) are copied from
 * their encoding kept from then, not encoded again. The request's head, whose lengths depend on
 * the whole batch, is written last into room left in front of the spans, which therefore do not
 * move again. Not thread-safe: one per in-flight request.
 */
final class OtlpProtoEncoder implements BatchEncoder {
    // ExportTraceServiceRequest / ResourceSpans / ScopeSpans
    private static final int REQUEST_RESOURCE_SPANS = 1;
    private static final int RESOURCE_SPANS_RESOURCE = 1;
    private static final int RESOURCE_SPANS_SCOPE_SPANS = 2;
    private static final int RESOURCE_ATTRIBUTES = 1;
    private static final int SCOPE_SPANS_SCOPE = 1;
    private static final int SCOPE_SPANS_SPANS = 2;
    private static final int SCOPE_NAME = 1;
    private static final int SCOPE_VERSION = 2;
    // Span
    private static final int SPAN_TRACE_ID = 1;
    private static final int SPAN_SPAN_ID = 2;
    private static final int SPAN_PARENT_SPAN_ID = 4;
    private static final int SPAN_NAME = 5;
    private static final int SPAN_KIND = 6;
    private static final int SPAN_START = 7;
    private static final int SPAN_END = 8;
    private static final int SPAN_ATTRIBUTES = 9;
    private static final int SPAN_EVENTS = 11;
    private static final int SPAN_DROPPED_EVENTS = 12;
    private static final int SPAN_STATUS = 15;
    private static final int SPAN_FLAGS = 16;
    // Span.Event, Status
    private static final int EVENT_TIME = 1;
    private static final int EVENT_NAME = 2;
    private static final int EVENT_ATTRIBUTES = 3;
    private static final int STATUS_MESSAGE = 2;
    private static final int STATUS_CODE = 3;
    // KeyValue, AnyValue, ArrayValue
    private static final int KEY_VALUE_VALUE = 2;
    private static final int ANY_STRING = 1;
    private static final int ANY_BOOL = 2;
    private static final int ANY_INT = 3;
    private static final int ANY_DOUBLE = 4;
    private static final int ANY_ARRAY = 5;
    private static final int ARRAY_VALUES = 1;
    /** SpanFlags: the W3C sampled bit, and "whether the parent is remote" is known. */
    private static final int FLAGS_SAMPLED_HAS_IS_REMOTE = 0x01 | 0x100;
    private static final int FLAG_PARENT_IS_REMOTE = 0x200;

    /** {@code ResourceSpans.resource} field, tag and length included. */
    private final byte[] resourceField;
    /** {@code ScopeSpans.scope} field, tag and length included. */
    private final byte[] scopeField;
    /**
     * Where a batch's spans start: room for the request's head (two tags and lengths, the resource
     * and the scope), which {@link #finish} writes right-aligned in front of them once their size is known.
     */
    private final int headRoom;
    private byte[] buffer = new byte[16 * 1024];
    /** Writes the batch's spans; {@code buffer[outBase + out.getTotalBytesWritten()]} is the next byte. */
    private CodedOutputStream out;
    private int outBase;
    private int spansBytes;
    private int start;
    private int length;
    private final byte[] id = new byte[16];
    /** ASCII strings pass through here on their way into the output (see {@link #writeMeasuredString}). */
    private byte[] scratch = new byte[256];
    /** The trace's span bodies, encoded here before their lengths are known, then copied behind them. */
    private byte[] spanBodies = new byte[8 * 1024];
    /** Where each span's body ends in {@link #spanBodies}. */
    private int[] spanEnds = new int[16];
    /** Names and attribute values met before, encoded once: see {@link SeenValues}. */
    private final SeenValues seen = new SeenValues();
    /** {@link SeenValues} keys of span and event names (attribute values are keyed by their {@link AttrKey}). */
    private static final Object SPAN_NAME_KEY = new Object();
    private static final Object EVENT_NAME_KEY = new Object();

    OtlpProtoEncoder(Resource resource, InstrumentationScopeInfo scope) {
        this.resourceField = resourceField(resource);
        this.scopeField = scopeField(scope);
        this.headRoom = 2 * (1 + 5) + resourceField.length + scopeField.length;
    }

    @Override
    public byte[] buffer() {
        return buffer;
    }

    @Override
    public int offset() {
        return start;
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public void begin() {
        if (buffer.length < headRoom * 2) {
            buffer = new byte[headRoom * 2];
        }
        spansBytes = 0;
        restartAt(headRoom);
    }

    /** Encodes the trace's spans into {@link #spanBodies}, then copies each into the batch behind its length. */
    @Override
    public void add(Trace t) {
        int at = position();
        try {
            encodeSpanBodies(t);
            int bodyStart = 0;
            for (int s = 0; s < t.spanCount; s++) {
                int body = spanEnds[s] - bodyStart;
                int field = lengthField(SCOPE_SPANS_SPANS, body);
                if (buffer.length - position() < field) {
                    int from = position();
                    buffer = Arrays.copyOf(buffer, Math.max(from + field, buffer.length * 2));
                    restartAt(from);
                }
                out.writeTag(SCOPE_SPANS_SPANS, 2);
                out.writeUInt32NoTag(body);
                out.writeRawBytes(spanBodies, bodyStart, body);
                bodyStart = spanEnds[s];
            }
        } catch (IOException | RuntimeException e) {
            restartAt(at); // the batch as it was: the next trace writes over this one's start
            throw new IllegalStateException("OTLP encoding of a trace failed", e);
        }
        spansBytes += position() - at;
    }

    /** Writes the request's head (resource, scope, the lengths around the spans) just before the spans. */
    @Override
    public void finish() {
        int scopeSpans = scopeField.length + spansBytes;
        int resourceSpans = resourceField.length + lengthField(RESOURCE_SPANS_SCOPE_SPANS, scopeSpans);
        int total = lengthField(REQUEST_RESOURCE_SPANS, resourceSpans);
        int head = total - spansBytes;
        start = headRoom - head;
        length = total;
        CodedOutputStream h = CodedOutputStream.newInstance(buffer, start, head);
        try {
            h.writeTag(REQUEST_RESOURCE_SPANS, 2);
            h.writeUInt32NoTag(resourceSpans);
            h.writeRawBytes(resourceField);
            h.writeTag(RESOURCE_SPANS_SCOPE_SPANS, 2);
            h.writeUInt32NoTag(scopeSpans);
            h.writeRawBytes(scopeField);
            h.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new UncheckedIOException("OTLP encoding overran its measured size", e);
        }
    }

    private int position() {
        return outBase + out.getTotalBytesWritten();
    }

    private void restartAt(int position) {
        outBase = position;
        out = CodedOutputStream.newInstance(buffer, outBase, buffer.length - outBase);
    }

    /** The spans' bodies, one after another; the array grows (and the trace starts over) when it is too small. */
    private void encodeSpanBodies(Trace t) throws IOException {
        if (spanEnds.length < t.spanCount) {
            spanEnds = new int[Math.max(t.spanCount, spanEnds.length * 2)];
        }
        while (true) {
            CodedOutputStream bodies = CodedOutputStream.newInstance(spanBodies);
            try {
                for (int s = 0; s < t.spanCount; s++) {
                    writeSpanBody(bodies, t, t.span(s));
                    spanEnds[s] = bodies.getTotalBytesWritten();
                }
                return;
            } catch (CodedOutputStream.OutOfSpaceException e) {
                spanBodies = new byte[spanBodies.length * 2];
            }
        }
    }

    // ---- kept encodings and sizes ----

    /**
     * The kept encoding of a value met before (a name field whole, or a {@code KeyValue} body),
     * made on its second sighting; null the first time, and for what is not kept.
     */
    private byte[] kept(Object key, byte type, Object value) {
        if (value instanceof String s && s.length() > SeenValues.MAX_STRING_LENGTH) {
            return null;
        }
        byte[] e = seen.find(key, value);
        if (e != SeenValues.SEEN_ONCE) {
            return e;
        }
        try {
            if (key == SPAN_NAME_KEY || key == EVENT_NAME_KEY) {
                String name = (String) value;
                int field = key == SPAN_NAME_KEY ? SPAN_NAME : EVENT_NAME;
                int size = stringField(field, name);
                byte[] b = new byte[size];
                CodedOutputStream c = CodedOutputStream.newInstance(b);
                writeMeasuredString(c, field, name, size);
                c.checkNoSpaceLeft();
                return seen.keep(b);
            }
            AttrKey k = (AttrKey) key;
            int valueSize = anyValueSize(type, 0, value);
            byte[] b = new byte[keyValueSize(k, valueSize)];
            CodedOutputStream c = CodedOutputStream.newInstance(b);
            writeKeyValueBody(c, k, type, 0, value, valueSize);
            c.checkNoSpaceLeft();
            return seen.keep(b);
        } catch (IOException e2) {
            throw new UncheckedIOException(e2);
        }
    }

    /** The {@code KeyValue} fields of attributes {@code [from, to)}, each with tag and length. */
    private static int attributesSize(TraceSpan.Attrs a, int from, int to) {
        int size = 0;
        for (int i = from; i < to; i++) {
            size += lengthField(1, keyValueSize(a.keys[i], anyValueSize(a.types[i], a.numbers[i], a.refs[i])));
        }
        return size;
    }

    private static int keyValueSize(AttrKey key, int valueSize) {
        return key.protoKey.length + lengthField(KEY_VALUE_VALUE, valueSize);
    }

    @SuppressWarnings("unchecked")
    private static int anyValueSize(byte type, long number, Object ref) {
        switch (type) {
            case TraceSpan.STRING:
                return stringField(ANY_STRING, (String) ref);
            case TraceSpan.BOOL:
                return 2;
            case TraceSpan.LONG:
                return CodedOutputStream.computeInt64Size(ANY_INT, number);
            case TraceSpan.DOUBLE:
                return 9;
            default:
                return lengthField(ANY_ARRAY, arrayValueSize((List<String>) ref));
        }
    }

    private static int arrayValueSize(List<String> values) {
        int size = 0;
        for (int i = 0, n = values.size(); i < n; i++) {
            size += lengthField(ARRAY_VALUES, stringField(ANY_STRING, values.get(i)));
        }
        return size;
    }

    private static int statusSize(TraceSpan s) {
        int size = 2;
        if (s.statusDescription != null && !s.statusDescription.isEmpty()) {
            size += stringField(STATUS_MESSAGE, s.statusDescription);
        }
        return size;
    }

    /** Tag (fields below 16: one byte), length and body of a length-delimited field. */
    private static int lengthField(int field, int bodySize) {
        return CodedOutputStream.computeTagSize(field) + CodedOutputStream.computeUInt32SizeNoTag(bodySize) + bodySize;
    }

    // ---- bytes ----

    private void writeSpanBody(CodedOutputStream out, Trace t, TraceSpan s) throws IOException {
        writeId(out, SPAN_TRACE_ID, t.traceIdHigh, t.traceIdLow, 16);
        writeId(out, SPAN_SPAN_ID, s.spanId, 0, 8);
        long parent = s.parentSpanId != 0 ? s.parentSpanId : t.remoteParentSpanId;
        if (parent != 0) {
            writeId(out, SPAN_PARENT_SPAN_ID, parent, 0, 8);
        }
        writeName(out, SPAN_NAME, s.name, kept(SPAN_NAME_KEY, TraceSpan.STRING, s.name));
        out.writeEnum(SPAN_KIND, kind(s.kind));
        out.writeFixed64(SPAN_START, s.startEpochNanos);
        out.writeFixed64(SPAN_END, s.endEpochNanos);
        writeAttributes(out, SPAN_ATTRIBUTES, s.attrs, 0, s.attrs.size);
        for (int k = 0; k < s.exportedEvents; k++) {
            int e = s.eventOrder[k];
            String name = s.eventNames[e];
            byte[] keptName = kept(EVENT_NAME_KEY, TraceSpan.STRING, name);
            int from = s.eventAttrStart[e];
            int to = s.eventAttrStart[e + 1];
            int size = 9 + (keptName != null ? keptName.length : stringField(EVENT_NAME, name))
                    + attributesSize(s.eventAttrs, from, to);
            out.writeTag(SPAN_EVENTS, 2);
            out.writeUInt32NoTag(size);
            int eventStart = out.getTotalBytesWritten();
            out.writeFixed64(EVENT_TIME, s.eventTimes[e]);
            writeName(out, EVENT_NAME, name, keptName);
            writeAttributes(out, EVENT_ATTRIBUTES, s.eventAttrs, from, to);
            if (out.getTotalBytesWritten() - eventStart != size) {
                throw new IllegalStateException("OTLP event " + name + " did not match its computed size");
            }
        }
        if (s.eventCount > s.exportedEvents) {
            out.writeUInt32(SPAN_DROPPED_EVENTS, s.eventCount - s.exportedEvents);
        }
        if (s.status != StatusCode.UNSET) {
            out.writeTag(SPAN_STATUS, 2);
            out.writeUInt32NoTag(statusSize(s));
            if (s.statusDescription != null && !s.statusDescription.isEmpty()) {
                writeString(out, STATUS_MESSAGE, s.statusDescription);
            }
            out.writeEnum(STATUS_CODE, s.status == StatusCode.OK ? 1 : 2);
        }
        boolean remoteParent = s.parentSpanId == 0 && t.remoteParentSpanId != 0;
        out.writeFixed32(SPAN_FLAGS, FLAGS_SAMPLED_HAS_IS_REMOTE | (remoteParent ? FLAG_PARENT_IS_REMOTE : 0));
    }

    /** A name field: its kept encoding when there is one. */
    private void writeName(CodedOutputStream out, int field, String name, byte[] kept) throws IOException {
        if (kept != null) {
            out.writeRawBytes(kept);
        } else {
            writeString(out, field, name);
        }
    }

    /** Attributes {@code [from, to)} as {@code KeyValue} fields; values met before are copied as kept. */
    private void writeAttributes(CodedOutputStream out, int field, TraceSpan.Attrs a, int from, int to) throws IOException {
        for (int i = from; i < to; i++) {
            AttrKey key = a.keys[i];
            byte type = a.types[i];
            byte[] body = key.definedValues && (type == TraceSpan.STRING || type == TraceSpan.STRING_ARRAY)
                    ? kept(key, type, a.refs[i]) : null;
            out.writeTag(field, 2);
            if (body != null) {
                out.writeUInt32NoTag(body.length);
                out.writeRawBytes(body);
            } else {
                int valueSize = anyValueSize(type, a.numbers[i], a.refs[i]);
                out.writeUInt32NoTag(keyValueSize(key, valueSize));
                writeKeyValueBody(out, key, type, a.numbers[i], a.refs[i], valueSize);
            }
        }
    }

    private void writeKeyValueBody(CodedOutputStream out, AttrKey key, byte type, long number, Object ref, int valueSize)
            throws IOException {
        out.writeRawBytes(key.protoKey);
        out.writeTag(KEY_VALUE_VALUE, 2);
        out.writeUInt32NoTag(valueSize);
        writeAnyValue(out, type, number, ref, valueSize);
    }

    @SuppressWarnings("unchecked")
    private void writeAnyValue(CodedOutputStream out, byte type, long number, Object ref, int size) throws IOException {
        switch (type) {
            case TraceSpan.STRING:
                writeMeasuredString(out, ANY_STRING, (String) ref, size);
                break;
            case TraceSpan.BOOL:
                out.writeBool(ANY_BOOL, number != 0);
                break;
            case TraceSpan.LONG:
                out.writeInt64(ANY_INT, number);
                break;
            case TraceSpan.DOUBLE:
                out.writeDouble(ANY_DOUBLE, Double.longBitsToDouble(number));
                break;
            default:
                List<String> values = (List<String>) ref;
                out.writeTag(ANY_ARRAY, 2);
                out.writeUInt32NoTag(arrayValueSize(values));
                for (int i = 0, n = values.size(); i < n; i++) {
                    String v = values.get(i);
                    int field = stringField(ANY_STRING, v);
                    out.writeTag(ARRAY_VALUES, 2);
                    out.writeUInt32NoTag(field);
                    writeMeasuredString(out, ANY_STRING, v, field);
                }
        }
    }

    /**
     * A string field. ASCII text (nearly every key and value here) is copied byte for byte
     * through a reused scratch array: protobuf-java's own string writer encodes through
     * {@code String.getBytes} on current JDKs, a new array per string.
     */
    private void writeString(CodedOutputStream out, int field, String s) throws IOException {
        writeMeasuredString(out, field, s, stringField(field, s));
    }

    /**
     * {@link #writeString} for a string whose field size is known: its UTF-8 length
     * equals its char count only when every char is ASCII, so the size says which path to take
     * without scanning the string again.
     */
    @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int): the ASCII fast path, on purpose
    private void writeMeasuredString(CodedOutputStream out, int field, String s, int fieldSize) throws IOException {
        int n = s.length();
        if (fieldSize != lengthField(field, n)) {
            out.writeString(field, s);
            return;
        }
        if (scratch.length < n) {
            scratch = new byte[Math.max(n, scratch.length * 2)];
        }
        s.getBytes(0, n, scratch, 0); // ASCII: the low byte of each char is its UTF-8 encoding
        out.writeTag(field, 2);
        out.writeUInt32NoTag(n);
        out.writeRawBytes(scratch, 0, n);
    }

    /** Tag, length and UTF-8 bytes of a string field. */
    private static int stringField(int field, String s) {
        return isAscii(s) ? lengthField(field, s.length()) : CodedOutputStream.computeStringSize(field, s);
    }

    private static boolean isAscii(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** An id as big-endian bytes: 16 for a trace id ({@code high}, {@code low}), 8 for a span id. */
    private void writeId(CodedOutputStream out, int field, long high, long low, int length) throws IOException {
        for (int i = 0; i < 8; i++) {
            id[i] = (byte) (high >>> (56 - 8 * i));
        }
        if (length == 16) {
            for (int i = 0; i < 8; i++) {
                id[8 + i] = (byte) (low >>> (56 - 8 * i));
            }
        }
        out.writeTag(field, 2);
        out.writeUInt32NoTag(length);
        out.writeRawBytes(id, 0, length);
    }

    /** The OTLP {@code Span.SpanKind} number (the JSON mapping uses it too). */
    static int kind(SpanKind kind) {
        switch (kind) {
            case INTERNAL:
                return 1;
            case SERVER:
                return 2;
            case CLIENT:
                return 3;
            case PRODUCER:
                return 4;
            default:
                return 5;
        }
    }

    // ---- resource and scope, encoded once ----

    private static byte[] resourceField(Resource resource) {
        TraceSpan.Attrs a = new TraceSpan.Attrs();
        resource.getAttributes().forEach((AttributeKey<?> k, Object v) -> {
            if (k.getType() == AttributeType.STRING_ARRAY) {
                a.add(AttrKey.of(k.getKey()), TraceSpan.STRING_ARRAY, 0, v);
            } else {
                TraceSpan.Attrs.addAny(a, AttrKey.of(k.getKey()), v);
            }
        });
        int body = attributesSize(a, 0, a.size);
        byte[] out = new byte[lengthField(RESOURCE_SPANS_RESOURCE, body)];
        CodedOutputStream c = CodedOutputStream.newInstance(out);
        try {
            c.writeTag(RESOURCE_SPANS_RESOURCE, 2);
            c.writeUInt32NoTag(body);
            new OtlpProtoEncoder().writeAttributes(c, RESOURCE_ATTRIBUTES, a, 0, a.size);
            c.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static byte[] scopeField(InstrumentationScopeInfo scope) {
        int body = CodedOutputStream.computeStringSize(SCOPE_NAME, scope.getName())
                + (scope.getVersion() == null ? 0 : CodedOutputStream.computeStringSize(SCOPE_VERSION, scope.getVersion()));
        byte[] out = new byte[lengthField(SCOPE_SPANS_SCOPE, body)];
        CodedOutputStream c = CodedOutputStream.newInstance(out);
        try {
            c.writeTag(SCOPE_SPANS_SCOPE, 2);
            c.writeUInt32NoTag(body);
            c.writeString(SCOPE_NAME, scope.getName());
            if (scope.getVersion() != null) {
                c.writeString(SCOPE_VERSION, scope.getVersion());
            }
            c.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Only for encoding the resource. */
    private OtlpProtoEncoder() {
        this.resourceField = null;
        this.scopeField = null;
        this.headRoom = 0;
    }
}
