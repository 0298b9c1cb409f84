package dev.zerver.spi;

/**
 * A successful attempt's result: the value for the effect's slot (converted to the slot's type)
 * and its size in bytes where known.
 *
 * @param value null for "no value": the slot stays empty
 * @param sizeBytes the raw result's size, or -1
 */
public record EffectResult(Object value, long sizeBytes) {

    public static EffectResult of(Object value) {
        long size = value instanceof byte[] b ? b.length
                : value instanceof String s ? s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length : -1;
        return new EffectResult(value, size);
    }

    public static EffectResult empty() {
        return new EffectResult(null, 0);
    }
}
