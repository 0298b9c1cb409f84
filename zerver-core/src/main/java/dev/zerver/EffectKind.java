package dev.zerver;

/** The family of an effect; names the effect span {@code {family}.{operation} {target}}. */
public enum EffectKind {
    DB, HTTP, CACHE, KV, QUEUE, FS, COMPUTE, TIMER, OTHER;

    private final String value = name().toLowerCase(java.util.Locale.ROOT);

    /** The lowercase name used in telemetry. */
    public String value() {
        return value;
    }
}
