package dev.zerver.internal.record;

import dev.zerver.telemetry.EffectRecord;
import dev.zerver.telemetry.RetryRecord;
import dev.zerver.telemetry.SlotWrite;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The runtime's writable {@link EffectRecord}: listeners see it through that read-only interface. */
public final class MutableEffectRecord implements EffectRecord {

    private final int sequence;
    private final int needSequence;
    private final int stepSequence;
    private final String kind;
    private final String operation;
    private final String target;
    private final boolean required;
    private final long timeoutMillis;
    private final String slot;
    private int jobId;
    private String spanId;
    private int attempts;
    private Boolean success;
    private FailureKind failureKind;
    private String errorType;
    private String errorMessage;
    private String what;
    private String key;
    private boolean late;
    private SlotWrite slotWrite;
    /**
     * Family attributes as names and values side by side, made at the first one: a handful per
     * effect, and two arrays are fewer objects for the exporter to fetch than a map's nodes.
     */
    private String[] attributeNames;
    private Object[] attributeValues;
    private int attributeCount;
    /** Made at the first retry: most effects are not retried. */
    private List<RetryRecord> retries;

    public MutableEffectRecord(int sequence, int needSequence, int stepSequence, String kind, String operation, String target,
            boolean required, long timeoutMillis, String slot) {
        this.sequence = sequence;
        this.needSequence = needSequence;
        this.stepSequence = stepSequence;
        this.kind = kind;
        this.operation = operation;
        this.target = target;
        this.required = required;
        this.timeoutMillis = timeoutMillis;
        this.slot = slot;
    }

    // ---- written by the runtime and the effect's handler ----

    public void job(int id) {
        jobId = id;
    }

    public void spanId(String id) {
        spanId = id;
    }

    public void attempts(int n) {
        attempts = n;
    }

    public void succeeded() {
        success = true;
    }

    public void failed(FailureKind kind, String type, String message, String failureWhat, String failureKey) {
        success = false;
        failureKind = kind;
        errorType = type;
        errorMessage = message;
        what = failureWhat;
        key = failureKey;
    }

    /** The effect finished after its join was decided; its result was ignored. */
    public void late() {
        late = true;
    }

    /** A family-specific fact, e.g. {@code db.operation.name}; values are strings, numbers or booleans. */
    public void attribute(String name, Object value) {
        if (value == null) {
            return;
        }
        for (int i = 0; i < attributeCount; i++) {
            if (attributeNames[i].equals(name)) {
                attributeValues[i] = value; // a fact recorded again keeps its place
                return;
            }
        }
        if (attributeNames == null) {
            attributeNames = new String[8];
            attributeValues = new Object[8];
        } else if (attributeCount == attributeNames.length) {
            attributeNames = Arrays.copyOf(attributeNames, attributeCount * 2);
            attributeValues = Arrays.copyOf(attributeValues, attributeCount * 2);
        }
        attributeNames[attributeCount] = name;
        attributeValues[attributeCount++] = value;
    }

    public void slotWrite(SlotWrite write) {
        slotWrite = write;
    }

    public void retry(RetryRecord retry) {
        if (retries == null) {
            retries = new ArrayList<>(2);
        }
        retries.add(retry);
    }

    // ---- read ----

    public int sequence() {
        return sequence;
    }

    public int needSequence() {
        return needSequence;
    }

    /** The step that returned the Need this effect belongs to. */
    public int stepSequence() {
        return stepSequence;
    }

    /** {@code db|http|cache|kv|queue|fs|compute|timer|other}. */
    public String kind() {
        return kind;
    }

    public String operation() {
        return operation;
    }

    /** Low-cardinality target: a table, a cache namespace, a declared name. */
    public String target() {
        return target;
    }

    public boolean required() {
        return required;
    }

    /** The per-attempt timeout in milliseconds, 0 for none. */
    public long timeoutMillis() {
        return timeoutMillis;
    }

    /** The slot the result goes into, or null. */
    public String slot() {
        return slot;
    }

    public int jobId() {
        return jobId;
    }

    /** The span id (16 hex digits) allocated when the effect started, or null if it never started. */
    public String spanId() {
        return spanId;
    }

    public int attempts() {
        return attempts;
    }

    /** True, false, or null when it never finished (cancelled). */
    public Boolean success() {
        return success;
    }

    public FailureKind failureKind() {
        return failureKind;
    }

    public boolean isInfrastructureFailure() {
        return failureKind == FailureKind.INFRASTRUCTURE;
    }

    public String errorType() {
        return errorType;
    }

    public String errorMessage() {
        return errorMessage;
    }

    public String what() {
        return what;
    }

    public String key() {
        return key;
    }

    public boolean isLate() {
        return late;
    }

    /** The write of this effect's result into its slot, or null when nothing was written. */
    public SlotWrite slotWrite() {
        return slotWrite;
    }

    /** A copy, in the order recorded. */
    public Map<String, Object> attributes() {
        Map<String, Object> copy = new LinkedHashMap<>();
        for (int i = 0; i < attributeCount; i++) {
            copy.put(attributeNames[i], attributeValues[i]);
        }
        return Collections.unmodifiableMap(copy);
    }

    public Object attribute(String name) {
        for (int i = 0; i < attributeCount; i++) {
            if (attributeNames[i].equals(name)) {
                return attributeValues[i];
            }
        }
        return null;
    }

    /** Each family attribute in the order recorded, without copying or wrapping (the export path). */
    public void forEachAttribute(java.util.function.BiConsumer<String, Object> action) {
        for (int i = 0; i < attributeCount; i++) {
            action.accept(attributeNames[i], attributeValues[i]);
        }
    }

    public List<RetryRecord> retries() {
        return retries == null ? List.of() : Collections.unmodifiableList(retries);
    }

    @Override
    public String toString() {
        return "effect#" + sequence + "(" + kind + "." + operation + " " + target + ", success=" + success + ")";
    }
}
