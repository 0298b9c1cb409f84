package dev.zerver.internal.record;

import dev.zerver.telemetry.SlotWrite;
import dev.zerver.telemetry.StepLayer;
import dev.zerver.telemetry.StepRecord;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The runtime's writable {@link StepRecord}: listeners see it through that read-only interface. */
public final class MutableStepRecord implements StepRecord {
    private final int sequence;
    private final String name;
    private final StepLayer layer;
    private final List<String> reads;
    private final List<String> writes;
    private final int jobId;
    private final long startNanos;
    private long endNanos = -1;
    private String decision;
    private String resumeFn;
    private String nextContinuation;
    private int needSequence;
    private boolean systemFailure;
    private String errorType;
    private String renderPhase;
    private long renderSizeBytes = -1;
    /** Made at the first write: most steps write no slot, and every object here is one more for the exporter to fetch. */
    private List<SlotWrite> slotWrites;
    private volatile String spanId;

    public MutableStepRecord(int sequence, String name, StepLayer layer, List<String> reads, List<String> writes,
            int jobId, long startNanos) {
        this.sequence = sequence;
        this.name = name;
        this.layer = layer;
        this.reads = List.copyOf(reads);
        this.writes = List.copyOf(writes);
        this.jobId = jobId;
        this.startNanos = startNanos;
    }

    // ---- written by the runtime ----

    /** Names the step's span (16 hex digits) when it starts, so code running in it can refer to it. */
    public void spanId(String value) {
        spanId = value;
    }

    /** The step's span id, or null when the runtime did not name one. */
    public String spanId() {
        return spanId;
    }

    public void ended(long nanos, String decisionName) {
        endNanos = nanos;
        decision = decisionName;
    }

    /** For a continuation step: the continuation function that ran. */
    public void resumeFn(String fn) {
        resumeFn = fn;
    }

    /** For a Need decision: the continuation function the Need names, to run when it joins. */
    public void nextContinuation(String fn) {
        nextContinuation = fn;
    }

    public void need(int sequence) {
        needSequence = sequence;
    }

    /** The step threw: a system failure, not an application Fail. */
    public void systemFailure(String type) {
        systemFailure = true;
        errorType = type;
    }

    public void slotWrite(SlotWrite write) {
        if (slotWrites == null) {
            slotWrites = new ArrayList<>(2);
        }
        slotWrites.add(write);
    }

    public void rendered(String phase, long sizeBytes) {
        renderPhase = phase;
        renderSizeBytes = sizeBytes;
    }

    // ---- read ----

    public int sequence() {
        return sequence;
    }

    /** The step's name; for a continuation, the name of the step that returned the Need. */
    public String name() {
        return name;
    }

    public StepLayer layer() {
        return layer;
    }

    public List<String> reads() {
        return reads;
    }

    public List<String> writes() {
        return writes;
    }

    /** The job that ran the step. */
    public int jobId() {
        return jobId;
    }

    public long startNanos() {
        return startNanos;
    }

    public long endNanos() {
        return endNanos;
    }

    /** {@code Continue|Need|Done|Fail}. */
    public String decision() {
        return decision;
    }

    /** For a continuation step, the continuation function that ran; else null. */
    public String resumeFn() {
        return resumeFn;
    }

    /** For a Need decision (of a step or of a continuation), the continuation it names; else null. */
    public String nextContinuation() {
        return nextContinuation;
    }

    /** The Need this step issued (decision Need) or resumed from (continuation); 0 if none. */
    public int needSequence() {
        return needSequence;
    }

    public boolean isSystemFailure() {
        return systemFailure;
    }

    /** The exception type of a system failure, or null. */
    public String errorType() {
        return errorType;
    }

    public List<SlotWrite> slotWrites() {
        return slotWrites == null ? List.of() : Collections.unmodifiableList(slotWrites);
    }

    /** {@code markdown|template|json_encode|other} when the step rendered, else null. */
    public String renderPhase() {
        return renderPhase;
    }

    public long renderSizeBytes() {
        return renderSizeBytes;
    }

    @Override
    public String toString() {
        return "step#" + sequence + "(" + name + ", " + layer.value() + ", " + decision + ")";
    }
}
