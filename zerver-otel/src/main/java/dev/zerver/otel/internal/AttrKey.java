package dev.zerver.otel.internal;

import com.google.protobuf.CodedOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An attribute key, made once and reused by every span that carries it: the name, and the name
 * already encoded as OTLP {@code KeyValue.key} (field 1: tag, length, UTF-8), so that encoding an
 * attribute never measures or encodes its key again.
 *
 * <p>The contract's keys are constants ({@link Keys}); keys known only at run time (a handler's
 * family attribute, a route's path parameter) are interned here, up to a bound past which they
 * are made per use rather than kept forever.
 */
final class AttrKey {
    private static final int MAX_INTERNED = 4096;
    private static final ConcurrentHashMap<String, AttrKey> INTERNED = new ConcurrentHashMap<>();

    final String name;
    /** {@code KeyValue.key}: tag, length and UTF-8 bytes of {@link #name}. */
    final byte[] protoKey;

    private AttrKey(String name) {
        this.name = name;
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[1 + CodedOutputStream.computeUInt32SizeNoTag(utf8.length) + utf8.length];
        CodedOutputStream c = CodedOutputStream.newInstance(out);
        try {
            c.writeByteArray(1, utf8);
            c.flush();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        this.protoKey = out;
    }

    /** The key for {@code name}, shared with every other use of that name while the table has room. */
    static AttrKey of(String name) {
        AttrKey k = INTERNED.get(name);
        if (k != null) {
            return k;
        }
        k = new AttrKey(name);
        if (INTERNED.size() < MAX_INTERNED) {
            AttrKey raced = INTERNED.putIfAbsent(name, k);
            return raced != null ? raced : k;
        }
        return k;
    }

    @Override
    public String toString() {
        return name;
    }
}
