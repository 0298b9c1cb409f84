package dev.zerver.spi;

import java.util.concurrent.ThreadLocalRandom;

/** Makes W3C trace and span ids as lowercase hex, never all zeros. */
public interface IdGenerator {
    /** 32 hex digits. */
    String traceId();

    /** 16 hex digits. */
    String spanId();

    /** Random ids from {@link ThreadLocalRandom}. */
    static IdGenerator random() {
        return RandomIds.INSTANCE;
    }
}

final class RandomIds implements IdGenerator {
    static final RandomIds INSTANCE = new RandomIds();

    @Override
    public String traceId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long hi;
        long lo;
        do {
            hi = r.nextLong();
            lo = r.nextLong();
        } while (hi == 0 && lo == 0);
        return hex(hi) + hex(lo);
    }

    @Override
    public String spanId() {
        long id;
        do {
            id = ThreadLocalRandom.current().nextLong();
        } while (id == 0);
        return hex(id);
    }

    static String hex(long v) {
        String s = Long.toHexString(v);
        return "0000000000000000".substring(s.length()) + s;
    }
}
