package dev.zerver.otel.internal;

/** The attribute keys of the trace contract (docs/trace-model.md), one constant each. */
final class Keys {
    private Keys() {}

    // root (SERVER)
    static final AttrKey HTTP_REQUEST_METHOD = AttrKey.of("http.request.method");
    static final AttrKey HTTP_REQUEST_METHOD_ORIGINAL = AttrKey.of("http.request.method_original");
    static final AttrKey HTTP_ROUTE = AttrKey.of("http.route");
    static final AttrKey URL_SCHEME = AttrKey.of("url.scheme");
    static final AttrKey URL_PATH = AttrKey.of("url.path");
    static final AttrKey URL_QUERY = AttrKey.of("url.query");
    static final AttrKey URL_FULL = AttrKey.of("url.full");
    static final AttrKey SERVER_ADDRESS = AttrKey.of("server.address");
    static final AttrKey SERVER_PORT = AttrKey.of("server.port");
    static final AttrKey CLIENT_ADDRESS = AttrKey.of("client.address");
    static final AttrKey CLIENT_PORT = AttrKey.of("client.port");
    static final AttrKey USER_AGENT = AttrKey.of("user_agent.original");
    static final AttrKey NETWORK_TRANSPORT = AttrKey.of("network.transport");
    static final AttrKey NETWORK_PROTOCOL_VERSION = AttrKey.of("network.protocol.version");
    static final AttrKey REQUEST_ID = AttrKey.of("zerver.request_id");
    static final AttrKey SESSION_ID = AttrKey.of("session.id");
    static final AttrKey HTTP_RESPONSE_STATUS_CODE = AttrKey.of("http.response.status_code");
    static final AttrKey HTTP_REQUEST_BODY_SIZE = AttrKey.of("http.request.body.size");
    static final AttrKey HTTP_RESPONSE_BODY_SIZE = AttrKey.of("http.response.body.size");
    static final AttrKey ERROR_TYPE = AttrKey.of("error.type");
    static final AttrKey ERROR_MESSAGE = AttrKey.of("error.message");
    static final AttrKey ERROR_WHAT = AttrKey.of("zerver.error.what");
    static final AttrKey ERROR_KEY = AttrKey.of("zerver.error.key");
    static final AttrKey SAMPLING_REASON = AttrKey.of("zerver.sampling.reason");
    static final AttrKey EVENTS_DROPPED = AttrKey.of("zerver.events.dropped");

    // old HTTP keys, emitted with OTEL_SEMCONV_STABILITY_OPT_IN=http/dup
    static final AttrKey OLD_HTTP_METHOD = AttrKey.of("http.method");
    static final AttrKey OLD_HTTP_STATUS_CODE = AttrKey.of("http.status_code");
    static final AttrKey OLD_HTTP_TARGET = AttrKey.of("http.target");
    static final AttrKey OLD_HTTP_SCHEME = AttrKey.of("http.scheme");
    static final AttrKey OLD_HTTP_URL = AttrKey.of("http.url");
    static final AttrKey OLD_HTTP_USER_AGENT = AttrKey.of("http.user_agent");
    static final AttrKey OLD_HTTP_CLIENT_IP = AttrKey.of("http.client_ip");
    static final AttrKey OLD_NET_HOST_NAME = AttrKey.of("net.host.name");
    static final AttrKey OLD_NET_HOST_PORT = AttrKey.of("net.host.port");
    static final AttrKey OLD_HTTP_FLAVOR = AttrKey.of("http.flavor");

    // steps and continuations
    static final AttrKey STEP_SEQUENCE = AttrKey.of("zerver.step.sequence");
    static final AttrKey STEP_LAYER = AttrKey.of("zerver.step.layer");
    static final AttrKey STEP_DECISION = AttrKey.of("zerver.step.decision");
    static final AttrKey STEP_READS = AttrKey.of("zerver.step.reads");
    static final AttrKey STEP_WRITES = AttrKey.of("zerver.step.writes");
    static final AttrKey STEP_RESUME = AttrKey.of("zerver.step.resume");
    static final AttrKey RESUME_FN = AttrKey.of("zerver.resume.fn");
    static final AttrKey DECISION = AttrKey.of("zerver.decision");
    static final AttrKey RENDER_PHASE = AttrKey.of("render.phase");
    static final AttrKey RENDER_SIZE_BYTES = AttrKey.of("render.size_bytes");
    static final AttrKey NEED_MODE = AttrKey.of("need.mode");
    static final AttrKey NEED_JOIN = AttrKey.of("need.join");
    static final AttrKey NEED_EFFECTS = AttrKey.of("need.effects");
    static final AttrKey NEED_COMPLETED = AttrKey.of("need.completed");
    static final AttrKey NEED_FAILED = AttrKey.of("need.failed");
    static final AttrKey NEED_DURATION_MS = AttrKey.of("need.duration_ms");
    static final AttrKey SLOT = AttrKey.of("zerver.slot");
    static final AttrKey SLOT_SIZE_BYTES = AttrKey.of("zerver.slot.size_bytes");

    // effects
    static final AttrKey EFFECT_KIND = AttrKey.of("effect.kind");
    static final AttrKey EFFECT_OPERATION = AttrKey.of("effect.operation");
    static final AttrKey EFFECT_TARGET = AttrKey.of("effect.target");
    static final AttrKey EFFECT_REQUIRED = AttrKey.of("effect.required");
    static final AttrKey EFFECT_TIMEOUT_MS = AttrKey.of("effect.timeout_ms");
    static final AttrKey EFFECT_SUCCESS = AttrKey.of("effect.success");
    static final AttrKey RETRY_ATTEMPT = AttrKey.of("retry.attempt");
    static final AttrKey RETRY_REASON = AttrKey.of("retry.reason");
    static final AttrKey RETRY_BACKOFF_MS = AttrKey.of("retry.backoff_ms");

    // jobs
    static final AttrKey JOB_QUEUE = AttrKey.of("job.queue");
    static final AttrKey JOB_WORKER_ID = AttrKey.of("job.worker_id");
    static final AttrKey JOB_ATTEMPT = AttrKey.of("job.attempt");
    static final AttrKey JOB_ATTEMPTS = AttrKey.of("job.attempts");
    static final AttrKey JOB_SUCCESS = AttrKey.of("job.success");
    static final AttrKey JOB_DEPTH = AttrKey.of("job.depth");
    static final AttrKey JOB_DEPTH_START = AttrKey.of("job.depth_start");
    static final AttrKey JOB_DEPTH_END = AttrKey.of("job.depth_end");
    static final AttrKey JOB_QUEUE_WAIT_MS = AttrKey.of("job.queue_wait_ms");
    static final AttrKey JOB_DISPATCH_MS = AttrKey.of("job.dispatch_ms");
    static final AttrKey JOB_PARK_WAIT_MS_TOTAL = AttrKey.of("job.park_wait_ms_total");
    static final AttrKey JOB_RUN_ACTIVE_MS = AttrKey.of("job.run_active_ms");
    static final AttrKey JOB_PARK_COUNT = AttrKey.of("job.park_count");
    static final AttrKey JOB_PARK_CAUSE = AttrKey.of("job.park.cause");
    static final AttrKey JOB_PARK_TOKEN = AttrKey.of("job.park.token");
    static final AttrKey JOB_PARK_MS = AttrKey.of("job.park_ms");
    static final AttrKey LIMIT_CURRENT = AttrKey.of("concurrency.limit.current");
    static final AttrKey LIMIT_MAX = AttrKey.of("concurrency.limit.max");
    static final AttrKey CANCEL_REASON = AttrKey.of("zerver.cancel.reason");
}
