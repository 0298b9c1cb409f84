package dev.zerver;

/** When a Need resumes its step, and whether it succeeded. */
public enum Join {
    /** Succeeds when every effect is done; fails as soon as a required effect fails. */
    ALL,
    /**
     * Resumes once every required effect is done (optional ones may still run; their late results
     * are ignored); fails as soon as a required effect fails.
     */
    ALL_REQUIRED,
    /** Resumes on the first effect to finish; fails only if that one is a required failure. */
    ANY,
    /**
     * Resumes on the first success; fails when a required effect fails or when every effect has
     * finished without a success.
     */
    FIRST_SUCCESS;

    private final String value = name().toLowerCase(java.util.Locale.ROOT);

    /** The lowercase name used in telemetry. */
    public String value() {
        return value;
    }
}
