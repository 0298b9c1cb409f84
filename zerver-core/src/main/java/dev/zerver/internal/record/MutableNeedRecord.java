package dev.zerver.internal.record;

import dev.zerver.telemetry.NeedRecord;

/** The runtime's writable {@link NeedRecord}: listeners see it through that read-only interface. */
public final class MutableNeedRecord implements NeedRecord {
    private final int sequence;
    private final int stepSequence;
    private final String mode;
    private final String join;
    private final int effectCount;
    private final long requestedNanos;
    private long joinedNanos = -1;
    private int completed;
    private int failed;
    private boolean success;

    public MutableNeedRecord(int sequence, int stepSequence, String mode, String join, int effectCount, long requestedNanos) {
        this.sequence = sequence;
        this.stepSequence = stepSequence;
        this.mode = mode;
        this.join = join;
        this.effectCount = effectCount;
        this.requestedNanos = requestedNanos;
    }

    public void joined(long nanos, int completedCount, int failedCount, boolean succeeded) {
        joinedNanos = nanos;
        completed = completedCount;
        failed = failedCount;
        success = succeeded;
    }

    public int sequence() {
        return sequence;
    }

    /** The step that returned this Need. */
    public int stepSequence() {
        return stepSequence;
    }

    /** {@code parallel|sequential}. */
    public String mode() {
        return mode;
    }

    /** {@code all|all_required|any|first_success}. */
    public String join() {
        return join;
    }

    public int effectCount() {
        return effectCount;
    }

    public long requestedNanos() {
        return requestedNanos;
    }

    /** When the join was decided, or -1 (the request was cancelled first). */
    public long joinedNanos() {
        return joinedNanos;
    }

    /** Effects that had finished successfully when the join was decided. */
    public int completed() {
        return completed;
    }

    /** Effects that had failed when the join was decided. */
    public int failed() {
        return failed;
    }

    public boolean success() {
        return success;
    }

    /** joined - requested, or -1. */
    public long durationNanos() {
        return joinedNanos < 0 ? -1 : joinedNanos - requestedNanos;
    }
}
