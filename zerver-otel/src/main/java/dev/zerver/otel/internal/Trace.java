package dev.zerver.otel.internal;

import java.util.Arrays;

/**
 * One request's spans as the record walk ({@link TraceAssembler}) produced them, in the form every
 * encoder reads: root first, then steps, effects and promoted spans. Reused: the export thread
 * keeps a few and {@link #reset}s them for each request instead of allocating spans anew.
 */
final class Trace {
    long traceIdHigh;
    long traceIdLow;
    String traceIdHex;
    /** The remote parent's span id from {@code traceparent}, 0 if none. */
    long remoteParentSpanId;
    boolean remoteParentSampled;
    private TraceSpan[] spans = new TraceSpan[16];
    int spanCount;

    void reset(String traceIdHex, String remoteParentHex, boolean remoteParentSampled) {
        this.traceIdHex = traceIdHex;
        this.traceIdHigh = Ids.parseHex(traceIdHex, 0);
        this.traceIdLow = Ids.parseHex(traceIdHex, 16);
        this.remoteParentSpanId = remoteParentHex == null ? 0 : Ids.parseHex(remoteParentHex, 0);
        this.remoteParentSampled = remoteParentSampled;
        this.spanCount = 0;
    }

    TraceSpan add() {
        if (spanCount == spans.length) {
            spans = Arrays.copyOf(spans, spanCount * 2);
        }
        TraceSpan s = spans[spanCount];
        if (s == null) {
            s = new TraceSpan();
            spans[spanCount] = s;
        }
        spanCount++;
        return s;
    }

    TraceSpan span(int i) {
        return spans[i];
    }
}
