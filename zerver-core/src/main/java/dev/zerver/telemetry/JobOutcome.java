package dev.zerver.telemetry;

/** How a job ended. */
public enum JobOutcome {
    COMPLETE, FAIL, CANCEL
}
