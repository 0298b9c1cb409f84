package dev.zerver.telemetry;

/**
 * Decides, when a request starts, whether its trace is sampled: the decision travels to
 * downstream services in the flags of every outgoing {@code traceparent} (so they can follow it),
 * and is on the record as {@link RequestRecord#headSampled()}. A {@link RecordListener} that also
 * implements this interface (the OpenTelemetry module's does) becomes the application's sampler.
 * Without one, a request follows its caller's flag, and is sampled when it has no caller.
 */
@FunctionalInterface
public interface HeadSampler {
    /**
     * @param traceId 32 lowercase hex digits
     * @param parentSpanId the caller's span id, or null when the request has no remote parent
     * @param parentSampled the caller's sampled flag (false without a caller)
     */
    boolean sampled(String traceId, String parentSpanId, boolean parentSampled);

    /** Follow the caller; sample when there is none. */
    HeadSampler FOLLOW_PARENT = (traceId, parentSpanId, parentSampled) -> parentSpanId == null || parentSampled;
}
