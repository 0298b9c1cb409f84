package dev.zerver.internal.record;

import dev.zerver.telemetry.EffectRecord;
import dev.zerver.telemetry.HeadSampler;
import dev.zerver.telemetry.JobRecord;
import dev.zerver.telemetry.NeedRecord;
import dev.zerver.telemetry.RequestRecord;
import dev.zerver.telemetry.StepRecord;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/** The runtime's writable {@link RequestRecord}: listeners see it through that read-only interface. */
public final class MutableRequestRecord implements RequestRecord {
    private final String requestId;
    private final String traceId;
    private final String parentSpanId;
    private final boolean parentSampled;
    private final boolean headSampled;
    private final String rootSpanId;
    private final long epochOffsetNanos;
    private final long startNanos;

    private final String method;
    private final String scheme;
    private final String path;
    private final String query;
    private final String protocolVersion;
    private final String serverAddress;
    private final int serverPort;
    private final String clientAddress;
    private final int clientPort;
    private final String userAgent;
    private final String baggage;
    private final long requestBodySize;

    private volatile String route;
    private volatile Map<String, String> pathParams = Map.of();
    private volatile String sessionId;
    private volatile long endNanos = -1;
    private volatile int status;
    private volatile long responseBodySize = -1;
    private volatile String errorWhat;
    private volatile String errorKey;
    private volatile String errorType;
    private volatile boolean systemFailure;
    private volatile String cancelReason;

    private final AtomicInteger sequences = new AtomicInteger();
    private final AtomicInteger jobIds = new AtomicInteger();
    private final ConcurrentLinkedQueue<StepRecord> steps = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<NeedRecord> needs = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<EffectRecord> effects = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<JobRecord> jobs = new ConcurrentLinkedQueue<>();
    private volatile boolean finished;
    /** The lists above, copied once at the first read after the request finished; null until then. */
    private volatile Frozen frozen;

    private record Frozen(List<StepRecord> steps, List<NeedRecord> needs, List<EffectRecord> effects,
            List<JobRecord> jobs) {}

    private MutableRequestRecord(Builder b) {
        requestId = b.requestId;
        traceId = b.traceId;
        parentSpanId = b.parentSpanId;
        parentSampled = b.parentSampled;
        headSampled = b.headSampled;
        rootSpanId = b.rootSpanId;
        epochOffsetNanos = b.epochOffsetNanos;
        startNanos = b.startNanos;
        method = b.method;
        scheme = b.scheme;
        path = b.path;
        query = b.query;
        protocolVersion = b.protocolVersion;
        serverAddress = b.serverAddress;
        serverPort = b.serverPort;
        clientAddress = b.clientAddress;
        clientPort = b.clientPort;
        userAgent = b.userAgent;
        baggage = b.baggage;
        requestBodySize = b.requestBodySize;
    }

    /** Starts a record; the runtime fills in the rest. */
    public static Builder builder() {
        return new Builder();
    }

    // ---- written by the runtime ----

    /** The next step, need or effect sequence number (one counter, from 1). */
    public int nextSequence() {
        return sequences.incrementAndGet();
    }

    /** How many sequence numbers were given: the request's steps, Needs and effects so far. */
    public int sequenceCount() {
        return sequences.get();
    }

    /** The next job id (from 1). */
    public int nextJobId() {
        return jobIds.incrementAndGet();
    }

    public void add(StepRecord step) {
        steps.add(step);
    }

    public void add(NeedRecord need) {
        needs.add(need);
    }

    public void add(EffectRecord effect) {
        effects.add(effect);
    }

    public void add(JobRecord job) {
        jobs.add(job);
    }

    public void matched(String routeTemplate, Map<String, String> params) {
        route = routeTemplate;
        pathParams = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    public void sessionId(String id) {
        sessionId = id;
    }

    /** The request ended in a Fail: what failed and its key; {@code type} is set for system failures. */
    public void failed(String what, String key, String type, boolean system) {
        errorWhat = what;
        errorKey = key;
        errorType = type;
        systemFailure = system;
    }

    public void cancelled(String reason) {
        cancelReason = reason;
    }

    public void responded(long nanos, int statusCode, long bodySize) {
        status = statusCode;
        responseBodySize = bodySize;
        endNanos = nanos;
    }

    /**
     * The request is over (response written, every job ended): nothing is added any more. Its
     * lists are copied once, at the first read after this, so that every later read returns the
     * same list without copying; a record nobody reads (tracing and metrics off) is never copied.
     * Called by the runtime before the listeners see the record; idempotent.
     */
    public void finish() {
        finished = true;
    }

    /** Whether {@link #finish()} was called. */
    public boolean isFinished() {
        return finished;
    }

    /** The frozen lists once the request finished (made at the first call), null before. */
    private Frozen frozen() {
        Frozen f = frozen;
        return f != null || !finished ? f : freeze();
    }

    private synchronized Frozen freeze() {
        if (frozen == null) {
            frozen = new Frozen(List.copyOf(steps), List.copyOf(needs), List.copyOf(effects), List.copyOf(jobs));
        }
        return frozen;
    }

    // ---- read ----

    /** Mapping of a monotonic timestamp of this request to epoch nanoseconds. */
    public long toEpochNanos(long monotonicNanos) {
        return monotonicNanos + epochOffsetNanos;
    }

    public String requestId() {
        return requestId;
    }

    /** 32 lowercase hex digits: from the incoming {@code traceparent}, else generated. */
    public String traceId() {
        return traceId;
    }

    /** The remote parent span id from {@code traceparent}, or null. */
    public String parentSpanId() {
        return parentSpanId;
    }

    /** Whether the remote parent was sampled (its trace flags). */
    public boolean parentSampled() {
        return parentSampled;
    }

    /** The head decision taken when the request started ({@link HeadSampler}); outgoing {@code traceparent} flags carry it. */
    public boolean headSampled() {
        return headSampled;
    }

    /** The root span's id, named when the request started (16 hex digits), or null. */
    public String rootSpanId() {
        return rootSpanId;
    }

    /** When the request's first byte was parsed. */
    public long startNanos() {
        return startNanos;
    }

    /** When the response was written, or -1 if none was (client gone). */
    public long endNanos() {
        return endNanos;
    }

    public String method() {
        return method;
    }

    public String scheme() {
        return scheme;
    }

    public String path() {
        return path;
    }

    /** The query string with sensitive values replaced by {@code REDACTED}, or null if none. */
    public String query() {
        return query;
    }

    /** {@code 1.0} or {@code 1.1}. */
    public String protocolVersion() {
        return protocolVersion;
    }

    public String serverAddress() {
        return serverAddress;
    }

    public int serverPort() {
        return serverPort;
    }

    public String clientAddress() {
        return clientAddress;
    }

    public int clientPort() {
        return clientPort;
    }

    /**
     * The caller's W3C {@code baggage} header (at most 8192 characters), or null. It is passed on to
     * outgoing requests and to application code, never put on a span: it may hold anything.
     */
    public String baggage() {
        return baggage;
    }

    public String userAgent() {
        return userAgent;
    }

    public long requestBodySize() {
        return requestBodySize;
    }

    /** The matched route template, e.g. {@code /blogs/posts/{id}}, or null when none matched. */
    public String route() {
        return route;
    }

    public Map<String, String> pathParams() {
        return pathParams;
    }

    public String sessionId() {
        return sessionId;
    }

    /** The response status, 0 when no response was written. */
    public int status() {
        return status;
    }

    public long responseBodySize() {
        return responseBodySize;
    }

    public String errorWhat() {
        return errorWhat;
    }

    public String errorKey() {
        return errorKey;
    }

    /** The system failure's type (an exception's simple name, {@code no_response}, ...), or null. */
    public String errorType() {
        return errorType;
    }

    /** The request failed because something broke, not because the application said Fail. */
    public boolean isSystemFailure() {
        return systemFailure;
    }

    /** Why the request was cancelled ({@code deadline}, {@code client_gone}, {@code shutdown}), or null. */
    public String cancelReason() {
        return cancelReason;
    }

    /** In the order they were recorded; a copy while the request runs, the frozen list once it finished. */
    public List<StepRecord> steps() {
        Frozen f = frozen();
        return f != null ? f.steps() : List.copyOf(steps);
    }

    /** In the order they were recorded; a copy while the request runs, the frozen list once it finished. */
    public List<NeedRecord> needs() {
        Frozen f = frozen();
        return f != null ? f.needs() : List.copyOf(needs);
    }

    /** In the order they were recorded; a copy while the request runs, the frozen list once it finished. */
    public List<EffectRecord> effects() {
        Frozen f = frozen();
        return f != null ? f.effects() : List.copyOf(effects);
    }

    /** In the order they were recorded; a copy while the request runs, the frozen list once it finished. */
    public List<JobRecord> jobs() {
        Frozen f = frozen();
        return f != null ? f.jobs() : List.copyOf(jobs);
    }

    @Override
    public String toString() {
        return "request(" + requestId + " " + method + " " + path + " -> " + status + ")";
    }

    /** The facts known when the request arrives. */
    public static final class Builder {
        private String requestId;
        private String traceId;
        private String parentSpanId;
        private boolean parentSampled;
        private boolean headSampled = true;
        private String rootSpanId;
        private long epochOffsetNanos;
        private long startNanos;
        private String method = "GET";
        private String scheme = "http";
        private String path = "/";
        private String query;
        private String protocolVersion = "1.1";
        private String serverAddress;
        private int serverPort = -1;
        private String clientAddress;
        private int clientPort = -1;
        private String userAgent;
        private String baggage;
        private long requestBodySize;

        private Builder() {}

        /** The root span's id, named at the start. */
        public Builder rootSpanId(String value) {
            this.rootSpanId = value;
            return this;
        }

        /** The head decision; true unless set. */
        public Builder headSampled(boolean value) {
            this.headSampled = value;
            return this;
        }

        public Builder ids(String requestId, String traceId, String parentSpanId, boolean parentSampled) {
            this.requestId = requestId;
            this.traceId = traceId;
            this.parentSpanId = parentSpanId;
            this.parentSampled = parentSampled;
            return this;
        }

        public Builder clock(long startNanos, long epochOffsetNanos) {
            this.startNanos = startNanos;
            this.epochOffsetNanos = epochOffsetNanos;
            return this;
        }

        public Builder request(String method, String scheme, String path, String redactedQuery, String protocolVersion) {
            this.method = method;
            this.scheme = scheme;
            this.path = path;
            this.query = redactedQuery;
            this.protocolVersion = protocolVersion;
            return this;
        }

        public Builder server(String address, int port) {
            this.serverAddress = address;
            this.serverPort = port;
            return this;
        }

        public Builder client(String address, int port) {
            this.clientAddress = address;
            this.clientPort = port;
            return this;
        }

        public Builder userAgent(String value) {
            this.userAgent = value;
            return this;
        }

        /** The incoming W3C {@code baggage} header, passed on, never recorded as an attribute. */
        public Builder baggage(String value) {
            this.baggage = value;
            return this;
        }

        public Builder bodySize(long bytes) {
            this.requestBodySize = bytes;
            return this;
        }

        public MutableRequestRecord build() {
            return new MutableRequestRecord(this);
        }
    }
}
