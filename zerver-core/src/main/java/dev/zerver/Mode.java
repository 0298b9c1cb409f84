package dev.zerver;

/** How a Need runs its effects. */
public enum Mode {
    /** All effects at once. */
    PARALLEL,
    /** One after another, in order, stopping once the join is decided. */
    SEQUENTIAL;

    private final String value = name().toLowerCase(java.util.Locale.ROOT);

    /** The lowercase name used in telemetry. */
    public String value() {
        return value;
    }
}
