package dev.zerver.telemetry;

import dev.zerver.internal.Json;
import java.io.IOException;
import java.io.OutputStream;

/**
 * One write into a request slot.
 *
 * @param slot the slot's name
 * @param sizeBytes the written value's size where it was cheap to know when written (bytes, text,
 *     an effect's raw payload), else -1
 * @param atNanos when it was written
 * @param value the value, kept only when its size was not known, so that a reader off the request
 *     path (the trace export thread) can measure it; else null
 */
public record SlotWrite(String slot, long sizeBytes, long atNanos, Object value) {
    /** A write whose size is known (or not wanted). */
    public SlotWrite(String slot, long sizeBytes, long atNanos) {
        this(slot, sizeBytes, atNanos, null);
    }

    /**
     * The size: as recorded, or else the length of the value's JSON form, measured now (call it
     * off the request path); -1 when neither is known.
     */
    public long estimatedSizeBytes() {
        if (sizeBytes >= 0 || value == null) {
            return sizeBytes;
        }
        Counting out = new Counting();
        try {
            Json.MAPPER.writeValue(out, value);
            return out.count;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static final class Counting extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
