package dev.zerver.otel.internal;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import java.util.Arrays;
import java.util.List;

/**
 * One span of an assembled {@link Trace}: flat arrays of attributes and events, reused from one
 * request to the next by the thread that assembles (so that a warm export allocates nearly
 * nothing). Read by the encoders (OTLP protobuf, OTLP JSON, console, SDK {@code SpanData}) only
 * between {@link Trace#reset} calls.
 */
final class TraceSpan {
    /** A span never carries more events than this; the rest are counted in {@code zerver.events.dropped}. */
    static final int MAX_EVENTS = 128;

    static final byte STRING = 1;
    static final byte BOOL = 2;
    static final byte LONG = 3;
    static final byte DOUBLE = 4;
    static final byte STRING_ARRAY = 5;

    long spanId;
    /** 0 for the root (whose parent, if any, is the trace's remote parent). */
    long parentSpanId;
    String name;
    SpanKind kind;
    long startEpochNanos;
    long endEpochNanos;
    StatusCode status;
    String statusDescription;
    /** A promoted {@code job.queue_wait} / {@code job.park(...)} span. */
    boolean promoted;

    final Attrs attrs = new Attrs();

    int eventCount;
    long[] eventTimes = new long[8];
    String[] eventNames = new String[8];
    /** Event i's attributes are {@code eventAttrs[eventAttrStart[i] .. eventAttrStart[i + 1])}. */
    int[] eventAttrStart = new int[9];
    final Attrs eventAttrs = new Attrs();
    /** Events in time order (stable), at most {@link #MAX_EVENTS}; set by {@link #finish()}. */
    int[] eventOrder = new int[8];
    int exportedEvents;

    void reset(long spanId, long parentSpanId, String name, SpanKind kind, long startEpochNanos, long endEpochNanos) {
        this.spanId = spanId;
        this.parentSpanId = parentSpanId;
        this.name = name;
        this.kind = kind;
        this.startEpochNanos = startEpochNanos;
        this.endEpochNanos = endEpochNanos;
        this.status = StatusCode.UNSET;
        this.statusDescription = null;
        this.promoted = false;
        attrs.clear();
        eventAttrs.clear();
        eventCount = 0;
        exportedEvents = 0;
    }

    // ---- attributes ----

    TraceSpan put(AttrKey key, String value) {
        if (value != null) {
            attrs.add(key, STRING, 0, value);
        }
        return this;
    }

    TraceSpan put(AttrKey key, long value) {
        attrs.add(key, LONG, value, null);
        return this;
    }

    TraceSpan put(AttrKey key, double value) {
        attrs.add(key, DOUBLE, Double.doubleToRawLongBits(value), null);
        return this;
    }

    TraceSpan put(AttrKey key, boolean value) {
        attrs.add(key, BOOL, value ? 1 : 0, null);
        return this;
    }

    TraceSpan put(AttrKey key, List<String> values) {
        attrs.add(key, STRING_ARRAY, 0, values);
        return this;
    }

    /** A value recorded by an effect handler under a name known only at run time; replaces an earlier value. */
    TraceSpan putAny(String name, Object value) {
        attrs.removeKey(name);
        Attrs.addAny(attrs, AttrKey.of(name), value);
        return this;
    }

    void status(StatusCode code, String description) {
        status = code;
        statusDescription = description;
    }

    // ---- events ----

    /** Starts an event; its attributes follow through {@link #eventAttr}. */
    TraceSpan event(long epochNanos, String name) {
        if (eventCount == eventTimes.length) {
            int n = eventCount * 2;
            eventTimes = Arrays.copyOf(eventTimes, n);
            eventNames = Arrays.copyOf(eventNames, n);
            eventAttrStart = Arrays.copyOf(eventAttrStart, n + 1);
            eventOrder = new int[n];
        }
        eventTimes[eventCount] = epochNanos;
        eventNames[eventCount] = name;
        eventAttrStart[eventCount] = eventAttrs.size;
        eventCount++;
        eventAttrStart[eventCount] = eventAttrs.size;
        return this;
    }

    TraceSpan eventAttr(AttrKey key, String value) {
        if (value != null) {
            eventAttrs.add(key, STRING, 0, value);
            eventAttrStart[eventCount] = eventAttrs.size;
        }
        return this;
    }

    TraceSpan eventAttr(AttrKey key, long value) {
        eventAttrs.add(key, LONG, value, null);
        eventAttrStart[eventCount] = eventAttrs.size;
        return this;
    }

    TraceSpan eventAttr(AttrKey key, double value) {
        eventAttrs.add(key, DOUBLE, Double.doubleToRawLongBits(value), null);
        eventAttrStart[eventCount] = eventAttrs.size;
        return this;
    }

    TraceSpan eventAttr(AttrKey key, boolean value) {
        eventAttrs.add(key, BOOL, value ? 1 : 0, null);
        eventAttrStart[eventCount] = eventAttrs.size;
        return this;
    }

    /** Orders the events by time (equal times keep the order they were added in) and applies the cap. */
    void finish() {
        int n = eventCount;
        for (int i = 0; i < n; i++) {
            int e = i;
            int j = i - 1;
            while (j >= 0 && eventTimes[eventOrder[j]] > eventTimes[e]) {
                eventOrder[j + 1] = eventOrder[j];
                j--;
            }
            eventOrder[j + 1] = e;
        }
        exportedEvents = Math.min(n, MAX_EVENTS);
        if (n > MAX_EVENTS) {
            put(Keys.EVENTS_DROPPED, (long) (n - MAX_EVENTS));
        }
        if (endEpochNanos < startEpochNanos) {
            endEpochNanos = startEpochNanos;
        }
    }

    /** Attributes as parallel arrays: key, type, number (long, double bits or boolean) and reference. */
    static final class Attrs {
        int size;
        AttrKey[] keys = new AttrKey[16];
        byte[] types = new byte[16];
        long[] numbers = new long[16];
        Object[] refs = new Object[16];

        /**
         * Empties the list. References stay until written over (the arrays are reused for the next
         * request, and hold at most one request's values): clearing them cost a pass per span.
         */
        void clear() {
            size = 0;
        }

        void add(AttrKey key, byte type, long number, Object ref) {
            if (size == keys.length) {
                int n = size * 2;
                keys = Arrays.copyOf(keys, n);
                types = Arrays.copyOf(types, n);
                numbers = Arrays.copyOf(numbers, n);
                refs = Arrays.copyOf(refs, n);
            }
            keys[size] = key;
            types[size] = type;
            numbers[size] = number;
            refs[size] = ref;
            size++;
        }

        void removeKey(String name) {
            for (int i = 0; i < size; i++) {
                if (keys[i].name.equals(name)) {
                    System.arraycopy(keys, i + 1, keys, i, size - i - 1);
                    System.arraycopy(types, i + 1, types, i, size - i - 1);
                    System.arraycopy(numbers, i + 1, numbers, i, size - i - 1);
                    System.arraycopy(refs, i + 1, refs, i, size - i - 1);
                    size--;
                    refs[size] = null;
                    return;
                }
            }
        }

        /** A string, whole number, floating-point number or boolean; anything else as its text. */
        static void addAny(Attrs a, AttrKey key, Object value) {
            if (value instanceof Boolean b) {
                a.add(key, BOOL, b ? 1 : 0, null);
            } else if (value instanceof Double || value instanceof Float) {
                a.add(key, DOUBLE, Double.doubleToRawLongBits(((Number) value).doubleValue()), null);
            } else if (value instanceof Number n) {
                a.add(key, LONG, n.longValue(), null);
            } else if (value != null) {
                a.add(key, STRING, 0, String.valueOf(value));
            }
        }

        /** Index of {@code name}, or -1. */
        int indexOf(String name) {
            for (int i = 0; i < size; i++) {
                if (keys[i].name.equals(name)) {
                    return i;
                }
            }
            return -1;
        }

        String string(String name) {
            int i = indexOf(name);
            return i >= 0 && types[i] == STRING ? (String) refs[i] : null;
        }

        /** A long attribute, or {@code missing}. */
        long number(String name, long missing) {
            int i = indexOf(name);
            return i >= 0 && types[i] == LONG ? numbers[i] : missing;
        }

        double decimal(String name, double missing) {
            int i = indexOf(name);
            return i >= 0 && types[i] == DOUBLE ? Double.longBitsToDouble(numbers[i]) : missing;
        }

        boolean bool(String name) {
            int i = indexOf(name);
            return i >= 0 && types[i] == BOOL && numbers[i] != 0;
        }
    }
}
