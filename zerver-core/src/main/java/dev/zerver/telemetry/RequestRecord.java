package dev.zerver.telemetry;

import java.util.List;
import java.util.Map;

/**
 * Everything the runtime observed about one request.
 *
 * <p>Written by the runtime while the request runs (request facts by the transport and the
 * dispatching job, steps and needs by the job that runs them, each job's record by the thread
 * running that job). A {@link RecordListener} receives it once the response has been written and
 * every job has ended, through this read-only view: no method here, nor on the step, need, effect
 * and job records it lists, changes it.
 *
 * <p>All {@code *Nanos} values come from one monotonic clock; {@link #toEpochNanos(long)} maps
 * them to wall-clock time with one offset taken when the request started.
 */
public interface RequestRecord {
    /** How many sequence numbers were given: the request's steps, Needs and effects so far. */
    int sequenceCount();

    /** Whether the runtime has finished writing it: true for every record a listener receives. */
    boolean isFinished();

    /** Mapping of a monotonic timestamp of this request to epoch nanoseconds. */
    long toEpochNanos(long monotonicNanos);

    String requestId();

    /** 32 lowercase hex digits: from the incoming {@code traceparent}, else generated. */
    String traceId();

    /** The remote parent span id from {@code traceparent}, or null. */
    String parentSpanId();

    /** Whether the remote parent was sampled (its trace flags). */
    boolean parentSampled();

    /** The head decision taken when the request started ({@link HeadSampler}); outgoing {@code traceparent} flags carry it. */
    boolean headSampled();

    /** The root span's id, named when the request started (16 hex digits), or null. */
    String rootSpanId();

    /** When the request's first byte was parsed. */
    long startNanos();

    /** When the response was written, or -1 if none was (client gone). */
    long endNanos();

    String method();

    String scheme();

    String path();

    /** The query string with sensitive values replaced by {@code REDACTED}, or null if none. */
    String query();

    /** {@code 1.0} or {@code 1.1}. */
    String protocolVersion();

    String serverAddress();

    int serverPort();

    String clientAddress();

    int clientPort();

    /**
     * The caller's W3C {@code baggage} header (at most 8192 characters), or null. It is passed on to
     * outgoing requests and to application code, never put on a span: it may hold anything.
     */
    String baggage();

    String userAgent();

    long requestBodySize();

    /** The matched route template, e.g. {@code /blogs/posts/{id}}, or null when none matched. */
    String route();

    Map<String, String> pathParams();

    String sessionId();

    /** The response status, 0 when no response was written. */
    int status();

    long responseBodySize();

    String errorWhat();

    String errorKey();

    /** The system failure's type (an exception's simple name, {@code no_response}, ...), or null. */
    String errorType();

    /** The request failed because something broke, not because the application said Fail. */
    boolean isSystemFailure();

    /** Why the request was cancelled ({@code deadline}, {@code client_gone}, {@code shutdown}), or null. */
    String cancelReason();

    /** In the order they were recorded; a copy while the request runs, the frozen list once it finished. */
    List<StepRecord> steps();

    /** In the order they were recorded; a copy while the request runs, the frozen list once it finished. */
    List<NeedRecord> needs();

    /** In the order they were recorded; a copy while the request runs, the frozen list once it finished. */
    List<EffectRecord> effects();

    /** In the order they were recorded; a copy while the request runs, the frozen list once it finished. */
    List<JobRecord> jobs();
}
