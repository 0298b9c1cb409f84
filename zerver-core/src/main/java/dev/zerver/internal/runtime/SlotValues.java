package dev.zerver.internal.runtime;

import dev.zerver.Slot;
import dev.zerver.internal.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Converts effect results to a slot's type and estimates sizes of written values. */
final class SlotValues {
    private SlotValues() {}

    /**
     * The raw result as the slot's type: as is; bytes and text converted; a structured value into a
     * text or bytes slot as its JSON; anything else through JSON.
     */
    static <T> T convert(Object raw, Slot<T> slot) throws IOException {
        Class<T> type = slot.type();
        if (raw == null || type.isInstance(raw)) {
            return type.cast(raw);
        }
        if (type == String.class && raw instanceof byte[] b) {
            return type.cast(new String(b, StandardCharsets.UTF_8));
        }
        if (type == byte[].class && raw instanceof String s) {
            return type.cast(s.getBytes(StandardCharsets.UTF_8));
        }
        if (type == String.class && !(raw instanceof byte[])) {
            return type.cast(Json.MAPPER.writeValueAsString(raw));
        }
        if (type == byte[].class) {
            return type.cast(Json.MAPPER.writeValueAsBytes(raw));
        }
        if (raw instanceof byte[] b) {
            return Json.MAPPER.readValue(b, type);
        }
        if (raw instanceof String s) {
            return Json.MAPPER.readValue(s, type);
        }
        try {
            return Json.MAPPER.convertValue(raw, type);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** Size in bytes for values whose size is cheap to know, else -1. */
    static long sizeOf(Object value) {
        if (value instanceof byte[] b) {
            return b.length;
        }
        if (value instanceof CharSequence s) {
            return utf8Length(s);
        }
        return -1;
    }

    private static long utf8Length(CharSequence s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c)) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }
}
