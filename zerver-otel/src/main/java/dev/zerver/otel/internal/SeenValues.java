package dev.zerver.otel.internal;

/**
 * Encoded forms of names and attribute values an encoder met before, by identity of key and
 * value: span and event names and the values of some keys ({@link AttrKey#definedValues}: route,
 * layers, decisions, effect kinds and targets, slot names, queries) are the same objects request
 * after request, since they come from the application's definitions, so each is encoded once and
 * then copied. A pair is kept only on its second sighting, so that one met once costs no
 * allocation. Values made per request (paths, ids, addresses) are never looked up: hashing a new
 * object by identity is a call into the VM.
 *
 * <p>Direct-mapped and bounded: a pair that meets another in its slot replaces it. Not thread-safe:
 * one per encoder.
 */
final class SeenValues {
    /** Returned by {@link #find} for a pair seen once before: encode it and {@link #keep} it. */
    static final byte[] SEEN_ONCE = new byte[0];
    /** Longer strings are not kept: the table stays small whatever the application's values. */
    static final int MAX_STRING_LENGTH = 256;
    private static final int SLOTS = 2048;

    private final Object[] keys = new Object[SLOTS];
    private final Object[] values = new Object[SLOTS];
    private final byte[][] encoded = new byte[SLOTS][];
    private int last;

    /**
     * What was kept for {@code key} and {@code value}: the encoded bytes, {@link #SEEN_ONCE}, or
     * null the first time (the pair is remembered, nothing is encoded).
     */
    byte[] find(Object key, Object value) {
        int slot = (System.identityHashCode(value) * 31 + System.identityHashCode(key)) & (SLOTS - 1);
        last = slot;
        if (values[slot] == value && keys[slot] == key) {
            byte[] e = encoded[slot];
            return e != null ? e : SEEN_ONCE;
        }
        keys[slot] = key;
        values[slot] = value;
        encoded[slot] = null;
        return null;
    }

    /** Keeps the encoding of the pair the last {@link #find} returned {@link #SEEN_ONCE} for. */
    byte[] keep(byte[] bytes) {
        encoded[last] = bytes;
        return bytes;
    }
}
