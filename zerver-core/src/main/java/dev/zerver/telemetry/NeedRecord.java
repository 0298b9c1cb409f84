package dev.zerver.telemetry;

/** One Need: the effects a step asked for, how they ran and how they were joined. */
public interface NeedRecord {
    int sequence();

    /** The step that returned this Need. */
    int stepSequence();

    /** {@code parallel|sequential}. */
    String mode();

    /** {@code all|all_required|any|first_success}. */
    String join();

    int effectCount();

    long requestedNanos();

    /** When the join was decided, or -1 (the request was cancelled first). */
    long joinedNanos();

    /** Effects that had finished successfully when the join was decided. */
    int completed();

    /** Effects that had failed when the join was decided. */
    int failed();

    boolean success();

    /** joined - requested, or -1. */
    long durationNanos();
}
