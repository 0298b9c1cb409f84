package dev.zerver.otel.internal;

/** Encodes a batch of traces into a buffer it owns and reuses. */
interface BatchEncoder {
    /** Encodes {@code traces[0..count)}; the bytes are {@code buffer()[0..returned)} until the next call. */
    int encode(Trace[] traces, int count);

    byte[] buffer();
}
