package dev.zerver.telemetry;

import java.util.List;

/**
 * One step execution: a pipeline step, a system step such as {@code route_match}, or a
 * continuation (the resumption after a Need, layer {@link StepLayer#CONTINUATION}, named after
 * the step that returned the Need).
 */
public interface StepRecord {
    /** The step's span id, or null when the runtime did not name one. */
    String spanId();

    int sequence();

    /** The step's name; for a continuation, the name of the step that returned the Need. */
    String name();

    StepLayer layer();

    List<String> reads();

    List<String> writes();

    /** The job that ran the step. */
    int jobId();

    long startNanos();

    long endNanos();

    /** {@code Continue|Need|Done|Fail}. */
    String decision();

    /** For a continuation step, the continuation function that ran; else null. */
    String resumeFn();

    /** For a Need decision (of a step or of a continuation), the continuation it names; else null. */
    String nextContinuation();

    /** The Need this step issued (decision Need) or resumed from (continuation); 0 if none. */
    int needSequence();

    boolean isSystemFailure();

    /** The exception type of a system failure, or null. */
    String errorType();

    List<SlotWrite> slotWrites();

    /** {@code markdown|template|json_encode|other} when the step rendered, else null. */
    String renderPhase();

    long renderSizeBytes();
}
