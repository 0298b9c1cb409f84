package dev.zerver.otel.internal;

import com.google.protobuf.CodedOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
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
    /**
     * Keys whose values come from the application's definitions and the runtime's constants
     * (method, route, step, layer, decision, effect, queue, slot, query): a bounded set of the
     * same objects request after request, which the encoder keeps encoded ({@link SeenValues}).
     * Values made per request (paths, addresses, ids) are not looked up at all.
     */
    private static final Set<String> DEFINED_VALUES = Set.of(
            "http.request.method", "http.route", "url.scheme", "network.transport", "network.protocol.version",
            "zerver.sampling.reason", "http.method", "http.scheme", "http.flavor",
            "zerver.step.layer", "zerver.step.decision", "zerver.step.reads", "zerver.step.writes",
            "zerver.step.resume", "zerver.resume.fn", "zerver.decision", "render.phase", "need.mode", "need.join",
            "zerver.slot", "effect.kind", "effect.operation", "effect.target", "job.queue", "job.park.cause",
            "job.park.token", "db.system.name", "db.operation.name", "db.collection.name", "db.namespace",
            "db.query.text", "cache.system", "cache.operation");
    private static final int MAX_INTERNED = 4096;
    private static final ConcurrentHashMap<String, AttrKey> INTERNED = new ConcurrentHashMap<>();

    final String name;
    /** {@code KeyValue.key}: tag, length and UTF-8 bytes of {@link #name}. */
    final byte[] protoKey;
    /** Its values are the application's own objects, met again and again: see {@link #DEFINED_VALUES}. */
    final boolean definedValues;

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
        this.definedValues = DEFINED_VALUES.contains(name);
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
