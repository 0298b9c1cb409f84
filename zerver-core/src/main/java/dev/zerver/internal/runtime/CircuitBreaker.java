package dev.zerver.internal.runtime;

/**
 * The circuit breaker of one effect target (e.g. {@code http:comments}): CLOSED counts consecutive
 * infrastructure failures; at the threshold it OPENs and attempts fail fast; after the open time
 * it lets one trial through (HALF_OPEN): success closes it, failure opens it again. Time is the
 * runtime's clock, so a deterministic test drives it exactly.
 */
public final class CircuitBreaker {
    /** The breaker's state. */
    public enum State { CLOSED, OPEN, HALF_OPEN }

    private final int failureThreshold;
    private final long openNanos;
    private State state = State.CLOSED;
    private int consecutiveFailures;
    private long openedAt;
    private boolean trialInFlight;

    CircuitBreaker(int failureThreshold, long openNanos) {
        this.failureThreshold = failureThreshold;
        this.openNanos = openNanos;
    }

    /** Whether an attempt may run now; an open circuit past its open time admits one trial. */
    synchronized boolean allow(long now) {
        switch (state) {
            case CLOSED:
                return true;
            case OPEN:
                if (now - openedAt < openNanos) {
                    return false;
                }
                state = State.HALF_OPEN;
                trialInFlight = true;
                return true;
            default:
                if (trialInFlight) {
                    return false;
                }
                trialInFlight = true;
                return true;
        }
    }

    /** An admitted attempt succeeded (or failed at the application level, which says the target is up). */
    synchronized void succeeded() {
        state = State.CLOSED;
        consecutiveFailures = 0;
        trialInFlight = false;
    }

    /** An admitted attempt failed at the infrastructure level. */
    synchronized void failed(long now) {
        consecutiveFailures++;
        if (state == State.HALF_OPEN || consecutiveFailures >= failureThreshold) {
            state = State.OPEN;
            openedAt = now;
        }
        trialInFlight = false;
    }

    /** An admitted attempt was cancelled with its request: it says nothing about the target. */
    synchronized void abandoned() {
        trialInFlight = false;
    }

    /** The state as of the last transition (an OPEN circuit whose time is up reports OPEN until tried). */
    public synchronized State state() {
        return state;
    }
}
