package dev.zerver.otel.internal;

import java.util.concurrent.ThreadLocalRandom;

/** Trace and span ids as numbers: parsed from and printed as lowercase hex, generated without strings. */
final class Ids {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Ids() {}

    /** The 16 hex digits of {@code hex} from {@code offset} as a long (0 when the text is shorter or not hex). */
    static long parseHex(String hex, int offset) {
        if (hex == null || hex.length() < offset + 16) {
            return 0;
        }
        long v = 0;
        for (int i = offset; i < offset + 16; i++) {
            int d = Character.digit(hex.charAt(i), 16);
            if (d < 0) {
                return 0;
            }
            v = (v << 4) | d;
        }
        return v;
    }

    static String hex(long v) {
        char[] c = new char[16];
        for (int i = 15; i >= 0; i--) {
            c[i] = HEX[(int) (v & 0xf)];
            v >>>= 4;
        }
        return new String(c);
    }

    /** A random valid (non-zero) span id. */
    static long randomSpanId() {
        long v;
        do {
            v = ThreadLocalRandom.current().nextLong();
        } while (v == 0);
        return v;
    }
}
