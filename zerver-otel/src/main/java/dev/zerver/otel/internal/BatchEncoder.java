package dev.zerver.otel.internal;

/**
 * Encodes a batch of traces, one at a time as the export thread assembles them, into a buffer it
 * owns and reuses: each trace is encoded while its spans are still in the CPU's cache, and no
 * batch of assembled traces is kept. Not thread-safe.
 */
interface BatchEncoder {
    /** Starts a batch, forgetting the previous one. */
    void begin();

    /**
     * Appends the trace's spans. If it throws, the batch is as it was before the call.
     */
    void add(Trace trace);

    /** Ends the batch: its bytes are {@code buffer()[offset() .. offset() + length())} until {@link #begin}. */
    void finish();

    byte[] buffer();

    int offset();

    int length();

    /** {@code traces[0 .. count)} as one export request: a copy of its bytes. */
    default byte[] encode(Trace[] traces, int count) {
        begin();
        for (int i = 0; i < count; i++) {
            add(traces[i]);
        }
        finish();
        return java.util.Arrays.copyOfRange(buffer(), offset(), offset() + length());
    }
}
