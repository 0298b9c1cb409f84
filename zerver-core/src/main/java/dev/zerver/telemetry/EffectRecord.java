package dev.zerver.telemetry;

import java.util.List;
import java.util.Map;

/**
 * One effect: what it was, how its attempts went, and the family-specific facts its handler
 * recorded (for example {@code db.system.name} or {@code url.full}, already redacted).
 */
public interface EffectRecord {
    /** Whether a failure was the infrastructure's (I/O, timeout, peer 5xx) or the application's. */
    enum FailureKind { INFRASTRUCTURE, APPLICATION }

    int sequence();

    int needSequence();

    /** The step that returned the Need this effect belongs to. */
    int stepSequence();

    /** {@code db|http|cache|kv|queue|fs|compute|timer|other}. */
    String kind();

    String operation();

    /** Low-cardinality target: a table, a cache namespace, a declared name. */
    String target();

    boolean required();

    /** The per-attempt timeout in milliseconds, 0 for none. */
    long timeoutMillis();

    /** The slot the result goes into, or null. */
    String slot();

    int jobId();

    /** The span id (16 hex digits) allocated when the effect started, or null if it never started. */
    String spanId();

    int attempts();

    /** True, false, or null when it never finished (cancelled). */
    Boolean success();

    FailureKind failureKind();

    boolean isInfrastructureFailure();

    String errorType();

    String errorMessage();

    String what();

    String key();

    boolean isLate();

    /** The write of this effect's result into its slot, or null when nothing was written. */
    SlotWrite slotWrite();

    /** The family attributes, in the order recorded. */
    Map<String, Object> attributes();

    /** One family attribute, or null when it was not recorded. */
    default Object attribute(String name) {
        return attributes().get(name);
    }

    /** Each family attribute in the order recorded, without copying or wrapping (the export path). */
    void forEachAttribute(java.util.function.BiConsumer<String, Object> action);

    List<RetryRecord> retries();
}
