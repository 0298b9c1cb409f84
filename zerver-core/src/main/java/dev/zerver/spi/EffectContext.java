package dev.zerver.spi;

import dev.zerver.telemetry.ParkCause;

/**
 * What a handler gets for one attempt: parking, the runtime's clock and timers, the trace
 * context for outgoing calls, and a place for family-specific facts.
 *
 * <p>Calls made after the attempt has ended (it timed out, or its request was cancelled) are
 * ignored.
 */
public interface EffectContext {
    /** The job stops making progress and waits on {@code token}. */
    default void park(ParkCause cause, String token) {
        park(cause, token, -1, -1);
    }

    /**
     * The job stops making progress and waits on {@code token}, where a limit applies.
     *
     * @param limitCurrent in use when it parked ({@code concurrency.limit.current}), or -1
     * @param limitMax the limit ({@code concurrency.limit.max}), or -1
     */
    void park(ParkCause cause, String token, long limitCurrent, long limitMax);

    /** The job goes on. A park still open when the attempt ends is closed then. */
    void resume();

    /** Attempt number, from 1. */
    int attempt();

    Clock clock();

    Timers timers();

    /** The request's trace id (32 hex digits). */
    String traceId();

    /** This effect's span id (16 hex digits), allocated when the effect started. */
    String spanId();

    /** The caller's W3C {@code baggage} header to pass on to outgoing requests, or null. */
    default String baggage() {
        return null;
    }

    /** Whether the request's trace is sampled (its head decision); true unless the runtime says otherwise. */
    default boolean sampled() {
        return true;
    }

    /**
     * A W3C {@code traceparent} naming this effect as the parent, for outgoing requests; its flags
     * carry the head decision, so that the peer can follow it. Null when the application propagates
     * no trace context ({@link dev.zerver.telemetry.Propagation}): send none then.
     */
    default String traceparent() {
        return "00-" + traceId() + "-" + spanId() + (sampled() ? "-01" : "-00");
    }

    /**
     * Records a family-specific fact on the effect, e.g. {@code db.operation.name}. Values are
     * strings, numbers or booleans, and must already be free of secrets.
     */
    void attribute(String name, Object value);

    /** Runs {@code hook} if the attempt is abandoned (time-out or cancellation), e.g. to abort a call. */
    void onAbandon(Runnable hook);

    /** Whether the attempt has been abandoned. */
    boolean isAbandoned();
}
