package dev.zerver.telemetry;

/** Where in the pipeline a step ran. The wire value is {@link #value()}. */
public enum StepLayer {
    GLOBAL_BEFORE("global_before"),
    ROUTE_BEFORE("route_before"),
    MAIN("main"),
    CONTINUATION("continuation"),
    SYSTEM("system");

    private final String value;

    StepLayer(String value) {
        this.value = value;
    }

    /** The lowercase name used in telemetry, e.g. {@code route_before}. */
    public String value() {
        return value;
    }
}
