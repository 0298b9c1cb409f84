package dev.zerver.telemetry;

/** The two kinds of job the runtime schedules. */
public enum JobType {
    /** A stretch of steps, from dispatch or a resumption up to the next Need, Done or Fail. */
    STEP("step"),
    /** One effect, all its attempts. */
    EFFECT("effect");

    private final String value;

    JobType(String value) {
        this.value = value;
    }

    /** The lowercase name used in telemetry. */
    public String value() {
        return value;
    }
}
