package dev.zerver.otel.internal;

import dev.zerver.otel.OtelSettings;
import dev.zerver.telemetry.EffectRecord;
import dev.zerver.telemetry.JobDurations;
import dev.zerver.telemetry.JobOutcome;
import dev.zerver.telemetry.JobRecord;
import dev.zerver.telemetry.JobType;
import dev.zerver.telemetry.NeedRecord;
import dev.zerver.telemetry.ParkEpisode;
import dev.zerver.telemetry.RequestRecord;
import dev.zerver.telemetry.RetryRecord;
import dev.zerver.telemetry.SlotWrite;
import dev.zerver.telemetry.StepLayer;
import dev.zerver.telemetry.StepRecord;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import java.util.List;

/**
 * The record walk: turns a finished {@link RequestRecord} into the spans of the trace model
 * (docs/trace-model.md): root, steps, {@code .resume} continuations, effects, and promoted
 * {@code job.queue_wait} / {@code job.park({cause})} spans, with job lifecycles as events on their
 * logical spans. Every encoder (OTLP protobuf and JSON, the console, SDK {@code SpanData}) reads
 * what it writes into a reused {@link Trace}.
 *
 * <p>Not thread-safe: one per assembling thread. Apart from its span ids (random for spans the
 * runtime did not name), the same record and settings give the same trace.
 */
public final class TraceAssembler {
    private final OtelSettings settings;
    private final Promotion promotion;
    private final boolean dup;
    private final boolean allJobEvents;
    private final Limits fixedLimits;

    // One walk's state: the record, and spans indexed by step / effect sequence and job id.
    private RequestRecord r;
    private Trace t;
    private List<JobRecord> jobList;
    private TraceSpan root;
    private Limits limits;
    private TraceSpan[] bySequence = new TraceSpan[16];
    private JobRecord[] byJobId = new JobRecord[16];

    public TraceAssembler(OtelSettings settings) {
        this.settings = settings;
        this.promotion = new Promotion(settings);
        this.dup = settings.httpSemconv() == OtelSettings.HttpSemconv.DUPLICATE;
        this.allJobEvents = settings.jobEvents() == OtelSettings.JobEvents.ALL;
        this.fixedLimits = RouteStats.fixedLimits(settings);
    }

    /** {@link #assemble(RequestRecord, String, Limits, Trace)} with the fixed thresholds (5 ms for percentile ones). */
    void assemble(RequestRecord record, String samplingReason, Trace out) {
        assemble(record, samplingReason, fixedLimits, out);
    }

    /**
     * Writes the request's spans into {@code out}, root first; {@code samplingReason} goes on the
     * root when not null; {@code limits} decide promotion.
     */
    void assemble(RequestRecord record, String samplingReason, Limits limits, Trace out) {
        r = record;
        this.limits = limits;
        t = out;
        out.reset(record.traceId(), record.parentSpanId(), record.parentSampled());
        jobList = record.jobs();
        int sequences = record.sequenceCount() + 1;
        if (bySequence.length < sequences) {
            bySequence = new TraceSpan[Math.max(sequences, bySequence.length * 2)];
        }
        int jobIds = jobList.size() + 1;
        for (int i = 0; i < jobList.size(); i++) {
            jobIds = Math.max(jobIds, jobList.get(i).id() + 1);
        }
        if (byJobId.length < jobIds) {
            byJobId = new JobRecord[Math.max(jobIds, byJobId.length * 2)];
        }
        for (int i = 0; i < jobList.size(); i++) {
            byJobId[jobList.get(i).id()] = jobList.get(i);
        }
        try {
            walk(samplingReason);
        } finally {
            java.util.Arrays.fill(bySequence, 0, sequences, null);
            java.util.Arrays.fill(byJobId, 0, jobIds, null);
            r = null;
            t = null;
            jobList = null;
            root = null;
            limits = null;
        }
        for (int i = 0; i < out.spanCount; i++) {
            out.span(i).finish();
        }
    }

    private void walk(String samplingReason) {
        root = root(samplingReason);
        List<StepRecord> steps = r.steps();
        for (int i = 0; i < steps.size(); i++) {   // indexed: the lists are frozen arrays, and no iterator is made
            StepRecord s = steps.get(i);
            bySequence[s.sequence()] = s.layer() == StepLayer.CONTINUATION ? continuation(s) : step(s);
        }
        List<NeedRecord> needs = r.needs();
        for (int i = 0; i < needs.size(); i++) {
            NeedRecord n = needs.get(i);
            TraceSpan issuer = bySequence[n.stepSequence()];
            if (issuer != null) {
                need(issuer, n);
            }
        }
        List<EffectRecord> effects = r.effects();
        for (int i = 0; i < effects.size(); i++) {
            EffectRecord e = effects.get(i);
            bySequence[e.sequence()] = effect(e);
        }
        for (int i = 0; i < jobList.size(); i++) {
            JobRecord j = jobList.get(i);
            TraceSpan logical = logicalSpan(j);
            if (logical != null && j.endNanos() >= 0) {
                job(logical, j);
            }
        }
        // After the job events, so that at equal times "resumed" reads before the write it led to.
        for (int i = 0; i < effects.size(); i++) {
            EffectRecord e = effects.get(i);
            if (e.slotWrite() != null) {
                slotWrite(bySequence[e.sequence()], e.slotWrite());
            }
        }
    }

    private long epoch(long nanos) {
        return r.toEpochNanos(nanos);
    }

    /**
     * When the root ends: the response written or, if later, the end of the request's last job
     * (a late effect, or the bookkeeping after the response), so that every span lies inside it.
     */
    private long rootEnd() {
        long end = Math.max(r.endNanos(), r.startNanos());
        for (int i = 0; i < jobList.size(); i++) {
            end = Math.max(end, jobList.get(i).endNanos());
        }
        return end;
    }

    /** The id the runtime named (code running in the span saw it as its context), else a random one. */
    private static long spanIdOf(String named) {
        long id = named != null ? Ids.parseHex(named, 0) : 0;
        return id != 0 ? id : Ids.randomSpanId();
    }

    // ---- root ----

    private TraceSpan root(String samplingReason) {
        String method = HttpMethods.known(r.method());
        TraceSpan d = t.add();
        d.reset(spanIdOf(r.rootSpanId()), 0, Names.server(method, r.route()), SpanKind.SERVER,
                epoch(r.startNanos()), epoch(rootEnd()));
        d.put(Keys.HTTP_REQUEST_METHOD, method);
        if (!method.equals(r.method())) {
            d.put(Keys.HTTP_REQUEST_METHOD_ORIGINAL, r.method());
        }
        d.put(Keys.HTTP_ROUTE, r.route());
        d.put(Keys.URL_SCHEME, r.scheme());
        d.put(Keys.URL_PATH, r.path());
        d.put(Keys.URL_QUERY, r.query());
        d.put(Keys.SERVER_ADDRESS, r.serverAddress());
        if (r.serverPort() > 0) {
            d.put(Keys.SERVER_PORT, (long) r.serverPort());
        }
        d.put(Keys.CLIENT_ADDRESS, r.clientAddress());
        if (r.clientPort() > 0) {
            d.put(Keys.CLIENT_PORT, (long) r.clientPort());
        }
        d.put(Keys.USER_AGENT, r.userAgent());
        d.put(Keys.NETWORK_TRANSPORT, "tcp");
        d.put(Keys.NETWORK_PROTOCOL_VERSION, r.protocolVersion());
        if (!r.pathParams().isEmpty()) {
            r.pathParams().forEach((name, value) -> d.put(Names.pathParam(name), value));
        }
        d.put(Keys.REQUEST_ID, r.requestId());
        d.put(Keys.SESSION_ID, r.sessionId());
        if (r.status() > 0) {
            d.put(Keys.HTTP_RESPONSE_STATUS_CODE, (long) r.status());
        }
        d.put(Keys.HTTP_REQUEST_BODY_SIZE, r.requestBodySize());
        if (r.responseBodySize() >= 0) {
            d.put(Keys.HTTP_RESPONSE_BODY_SIZE, r.responseBodySize());
        }
        if (r.errorWhat() != null) {
            d.put(Keys.ERROR_WHAT, r.errorWhat());
            d.put(Keys.ERROR_KEY, r.errorKey());
        }
        d.put(Keys.SAMPLING_REASON, samplingReason);
        if (dup) {
            d.put(Keys.OLD_HTTP_METHOD, r.method());
            if (r.status() > 0) {
                d.put(Keys.OLD_HTTP_STATUS_CODE, (long) r.status());
            }
            d.put(Keys.OLD_HTTP_TARGET, r.query() == null ? r.path() : r.path() + "?" + r.query());
            d.put(Keys.OLD_HTTP_SCHEME, r.scheme());
            d.put(Keys.OLD_HTTP_URL, serverUrl());
            d.put(Keys.OLD_HTTP_USER_AGENT, r.userAgent());
            d.put(Keys.OLD_HTTP_CLIENT_IP, r.clientAddress());
            d.put(Keys.OLD_NET_HOST_NAME, r.serverAddress());
            if (r.serverPort() > 0) {
                d.put(Keys.OLD_NET_HOST_PORT, (long) r.serverPort());
            }
            d.put(Keys.OLD_HTTP_FLAVOR, r.protocolVersion());
        }
        if (r.status() >= 500) {
            d.put(Keys.ERROR_TYPE, r.errorType() != null ? r.errorType() : String.valueOf(r.status()));
            d.status(StatusCode.ERROR, null);
        }
        return d;
    }

    private String serverUrl() {
        StringBuilder u = new StringBuilder(64).append(r.scheme()).append("://").append(r.serverAddress());
        if (r.serverPort() > 0) {
            u.append(':').append(r.serverPort());
        }
        u.append(r.path());
        if (r.query() != null) {
            u.append('?').append(r.query());
        }
        return u.toString();
    }

    // ---- steps ----

    private TraceSpan step(StepRecord s) {
        long end = s.endNanos() >= 0 ? s.endNanos() : s.startNanos();
        TraceSpan d = t.add();
        d.reset(spanIdOf(s.spanId()), root.spanId, Names.step(s.name()), SpanKind.INTERNAL, epoch(s.startNanos()), epoch(end));
        stepAttributes(d, s);
        return d;
    }

    private TraceSpan continuation(StepRecord s) {
        JobRecord job = s.jobId() < byJobId.length ? byJobId[s.jobId()] : null;
        long start = job != null && job.enqueueNanos() >= 0 ? job.enqueueNanos() : s.startNanos();
        long end = job != null && job.endNanos() >= 0 ? job.endNanos() : Math.max(s.startNanos(), s.endNanos());
        TraceSpan d = t.add();
        d.reset(spanIdOf(s.spanId()), root.spanId, Names.resume(s.name()), SpanKind.INTERNAL, epoch(start), epoch(end));
        stepAttributes(d, s);
        d.put(Keys.RESUME_FN, s.resumeFn());
        d.put(Keys.DECISION, s.decision());
        return d;
    }

    private void stepAttributes(TraceSpan d, StepRecord s) {
        d.put(Keys.STEP_SEQUENCE, (long) s.sequence());
        d.put(Keys.STEP_LAYER, s.layer().value());
        d.put(Keys.STEP_DECISION, s.decision());
        d.put(Keys.STEP_READS, s.reads());
        d.put(Keys.STEP_WRITES, s.writes());
        if ("Need".equals(s.decision())) {
            d.put(Keys.STEP_RESUME, s.nextContinuation());
        }
        if (s.renderPhase() != null) {
            d.put(Keys.RENDER_PHASE, s.renderPhase());
            if (s.renderSizeBytes() >= 0) {
                d.put(Keys.RENDER_SIZE_BYTES, s.renderSizeBytes());
            }
        }
        List<SlotWrite> writes = s.slotWrites();
        for (int i = 0; i < writes.size(); i++) {
            slotWrite(d, writes.get(i));
        }
        if (s.isSystemFailure()) {
            d.put(Keys.ERROR_TYPE, s.errorType());
            d.status(StatusCode.ERROR, null);
        } else if (!"Fail".equals(s.decision()) && s.decision() != null) {
            d.status(StatusCode.OK, null);
        }
    }

    private void need(TraceSpan d, NeedRecord n) {
        d.put(Keys.NEED_MODE, n.mode());
        d.put(Keys.NEED_JOIN, n.join());
        d.put(Keys.NEED_EFFECTS, (long) n.effectCount());
        d.event(epoch(n.requestedNanos()), "zerver.need.requested")
                .eventAttr(Keys.NEED_EFFECTS, (long) n.effectCount())
                .eventAttr(Keys.NEED_MODE, n.mode())
                .eventAttr(Keys.NEED_JOIN, n.join());
        if (n.joinedNanos() >= 0) {
            d.event(epoch(n.joinedNanos()), "zerver.need.join")
                    .eventAttr(Keys.NEED_COMPLETED, (long) n.completed())
                    .eventAttr(Keys.NEED_FAILED, (long) n.failed())
                    .eventAttr(Keys.NEED_DURATION_MS, JobDurations.millis(n.durationNanos()));
        }
    }

    private void slotWrite(TraceSpan d, SlotWrite w) {
        d.event(epoch(w.atNanos()), "zerver.slot.write").eventAttr(Keys.SLOT, w.slot());
        long size = w.estimatedSizeBytes();
        if (size >= 0) {
            d.eventAttr(Keys.SLOT_SIZE_BYTES, size);
        }
    }

    // ---- effects ----

    private TraceSpan effect(EffectRecord e) {
        JobRecord job = e.jobId() < byJobId.length ? byJobId[e.jobId()] : null;
        TraceSpan parent = e.stepSequence() < bySequence.length && bySequence[e.stepSequence()] != null
                ? bySequence[e.stepSequence()] : root;
        long start = job != null && job.enqueueNanos() >= 0 ? job.enqueueNanos() : r.startNanos();
        long end = job != null && job.endNanos() >= 0 ? job.endNanos() : start;
        long spanId = e.spanId() != null ? Ids.parseHex(e.spanId(), 0) : 0; // named at the effect's start
        TraceSpan d = t.add();
        d.reset(spanId != 0 ? spanId : Ids.randomSpanId(), parent.spanId, Names.effect(e.kind(), e.operation(), e.target()),
                SpanKind.CLIENT, epoch(start), epoch(end));
        d.put(Keys.EFFECT_KIND, e.kind());
        d.put(Keys.EFFECT_OPERATION, e.operation());
        d.put(Keys.EFFECT_TARGET, e.target());
        d.put(Keys.EFFECT_REQUIRED, e.required());
        d.put(Keys.EFFECT_TIMEOUT_MS, e.timeoutMillis());
        d.put(Keys.EFFECT_SUCCESS, Boolean.TRUE.equals(e.success()));
        e.forEachAttribute(d::putAny);
        if (dup && "http".equals(e.kind())) {
            copy(d, e, "http.request.method", Keys.OLD_HTTP_METHOD);
            copy(d, e, "url.full", Keys.OLD_HTTP_URL);
            copy(d, e, "http.response.status_code", Keys.OLD_HTTP_STATUS_CODE);
        }
        List<RetryRecord> retries = e.retries();
        for (int i = 0; i < retries.size(); i++) {
            RetryRecord retry = retries.get(i);
            d.event(epoch(retry.atNanos()), "zerver.retry")
                    .eventAttr(Keys.RETRY_ATTEMPT, (long) retry.attempt())
                    .eventAttr(Keys.RETRY_REASON, retry.reason())
                    .eventAttr(Keys.RETRY_BACKOFF_MS, JobDurations.millis(retry.backoffNanos()));
        }
        if (Boolean.TRUE.equals(e.success())) {
            d.status(StatusCode.OK, null);
        } else if (Boolean.FALSE.equals(e.success())) {
            d.put(Keys.ERROR_TYPE, e.errorType());
            if (e.required() && e.isInfrastructureFailure()) {
                String message = e.errorMessage();
                d.status(StatusCode.ERROR, message != null && !message.equals(e.errorType()) ? message : null);
            }
        }
        return d;
    }

    private static void copy(TraceSpan d, EffectRecord from, String name, AttrKey to) {
        Object v = from.attribute(name);
        if (v != null) {
            TraceSpan.Attrs.addAny(d.attrs, to, v);
        }
    }

    // ---- jobs ----

    private TraceSpan logicalSpan(JobRecord j) {
        switch (j.owner()) {
            case REQUEST:
                return root;
            default:
                return j.ownerSequence() < bySequence.length ? bySequence[j.ownerSequence()] : null;
        }
    }

    private void job(TraceSpan logical, JobRecord j) {
        JobDurations d = j.durations();
        if (j.type() == JobType.EFFECT) {
            logical.put(Keys.JOB_QUEUE, j.queue());
            if (j.workerId() >= 0) {
                logical.put(Keys.JOB_WORKER_ID, (long) j.workerId());
            }
            logical.put(Keys.JOB_ATTEMPT, (long) j.attempts());
        }
        logical.put(Keys.JOB_QUEUE_WAIT_MS, JobDurations.millis(d.queueWait()));
        logical.put(Keys.JOB_DISPATCH_MS, JobDurations.millis(d.dispatch()));
        logical.put(Keys.JOB_PARK_WAIT_MS_TOTAL, JobDurations.millis(d.parkWaitTotal()));
        logical.put(Keys.JOB_RUN_ACTIVE_MS, JobDurations.millis(d.runActive()));
        logical.put(Keys.JOB_PARK_COUNT, (long) d.parkCount());

        if (allJobEvents) {
            if (j.enqueueNanos() >= 0) {
                enqueued(logical, j);
            }
            if (j.takeNanos() >= 0) {
                taken(logical, j);
            }
            if (j.startNanos() >= 0) {
                logical.event(epoch(j.startNanos()), "zerver.job.started");
            }
        }
        List<ParkEpisode> parks = j.parks();
        for (int i = 0; i < parks.size(); i++) {
            ParkEpisode p = parks.get(i);
            parked(logical, p);
            if (p.resumed()) {
                logical.event(epoch(p.resumeNanos()), "zerver.job.resumed");
            }
        }
        endEvent(logical, j);
        promote(logical, j, d);
    }

    private void enqueued(TraceSpan s, JobRecord j) {
        s.event(epoch(j.enqueueNanos()), "zerver.job.enqueued").eventAttr(Keys.JOB_QUEUE, j.queue());
        if (settings.exportJobDepth() && j.depthAtEnqueue() >= 0) {
            s.eventAttr(Keys.JOB_DEPTH, (long) j.depthAtEnqueue());
        }
    }

    private void taken(TraceSpan s, JobRecord j) {
        s.event(epoch(j.takeNanos()), "zerver.job.taken");
        if (j.workerId() >= 0) {
            s.eventAttr(Keys.JOB_WORKER_ID, (long) j.workerId());
        }
    }

    private void parked(TraceSpan s, ParkEpisode p) {
        s.event(epoch(p.parkNanos()), "zerver.job.parked")
                .eventAttr(Keys.JOB_PARK_CAUSE, p.cause().value())
                .eventAttr(Keys.JOB_PARK_TOKEN, p.token());
        if (p.limitCurrent() >= 0) {
            s.eventAttr(Keys.LIMIT_CURRENT, p.limitCurrent());
        }
        if (p.limitMax() >= 0) {
            s.eventAttr(Keys.LIMIT_MAX, p.limitMax());
        }
    }

    private void endEvent(TraceSpan logical, JobRecord j) {
        long at = epoch(j.endNanos());
        if (j.outcome() == JobOutcome.CANCEL) {
            logical.event(at, "zerver.job.cancelled")
                    .eventAttr(Keys.CANCEL_REASON, j.cancelReason() == null ? "cancelled" : j.cancelReason());
        } else if (j.outcome() == JobOutcome.FAIL) {
            logical.event(at, "zerver.job.failed").eventAttr(Keys.ERROR_TYPE, j.errorType() == null ? "failed" : j.errorType());
            logical.eventAttr(Keys.ERROR_MESSAGE, j.errorMessage());
        } else if (allJobEvents) {
            logical.event(at, "zerver.job.completed")
                    .eventAttr(Keys.JOB_SUCCESS, true)
                    .eventAttr(Keys.JOB_ATTEMPTS, (long) Math.max(1, j.attempts()));
        }
    }

    /** A queue wait or park episode becomes a span when it crosses its threshold ({@link Promotion}). */
    private void promote(TraceSpan logical, JobRecord j, JobDurations d) {
        if (promotion.queueWait(j, d, limits)) {
            long takeAt = j.enqueueNanos() + d.queueWait();
            TraceSpan q = t.add();
            q.reset(Ids.randomSpanId(), logical.spanId, "job.queue_wait", SpanKind.INTERNAL,
                    epoch(j.enqueueNanos()), epoch(takeAt));
            q.promoted = true;
            q.put(Keys.JOB_QUEUE, j.queue());
            if (settings.exportJobDepth()) {
                q.put(Keys.JOB_DEPTH_START, (long) j.depthAtEnqueue());
                q.put(Keys.JOB_DEPTH_END, (long) j.depthAtTake());
            }
            enqueued(q, j);
            if (j.takeNanos() >= 0) {
                taken(q, j);
            }
        }
        List<ParkEpisode> parks = j.parks();
        for (int i = 0; i < parks.size(); i++) {
            ParkEpisode p = parks.get(i);
            if (promotion.park(j, p, limits)) {
                TraceSpan s = t.add();
                s.reset(Ids.randomSpanId(), logical.spanId, ParkSpanNames.of(p.cause()), SpanKind.INTERNAL,
                        epoch(p.parkNanos()), epoch(Math.max(p.parkNanos(), Promotion.end(j, p))));
                s.promoted = true;
                s.put(Keys.JOB_PARK_CAUSE, p.cause().value());
                s.put(Keys.JOB_PARK_TOKEN, p.token());
                if (p.limitCurrent() >= 0) {
                    s.put(Keys.LIMIT_CURRENT, p.limitCurrent());
                }
                if (p.limitMax() >= 0) {
                    s.put(Keys.LIMIT_MAX, p.limitMax());
                }
                parked(s, p);
                if (p.resumed()) {
                    s.event(epoch(p.resumeNanos()), "zerver.job.resumed");
                }
            }
        }
    }
}
