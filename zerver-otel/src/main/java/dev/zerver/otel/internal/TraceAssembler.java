package dev.zerver.otel.internal;

import dev.zerver.otel.OtelSettings;
import dev.zerver.runtime.IdGenerator;
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
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a finished {@link RequestRecord} into the spans of TRACE_CONTRACT.md sections 2 to 6:
 * root, steps, {@code .resume} continuations, effects, and promoted {@code job.queue_wait} /
 * {@code job.park({cause})} spans, with job lifecycles as events on their logical spans.
 *
 * <p>Pure: the same record and settings give the same spans (ids aside, which are random for
 * spans the runtime did not already name).
 */
public final class TraceAssembler {
    private static final Set<String> KNOWN_METHODS =
            Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");

    private final OtelSettings settings;
    private final Resource resource;
    private final InstrumentationScopeInfo scope;
    private final IdGenerator ids;
    private final Promotion promotion;

    public TraceAssembler(OtelSettings settings, Resource resource, InstrumentationScopeInfo scope, IdGenerator ids) {
        this.settings = settings;
        this.promotion = new Promotion(settings);
        this.resource = resource;
        this.scope = scope;
        this.ids = ids;
    }

    /** The request's spans, root first; {@code samplingReason} goes on the root when not null. */
    public List<SpanData> assemble(RequestRecord r, String samplingReason) {
        return new Assembly(r).run(samplingReason);
    }

    /** One record being turned into spans. */
    private final class Assembly {
        private final RequestRecord r;
        private final boolean dup = settings.httpSemconv() == OtelSettings.HttpSemconv.DUPLICATE;
        private final List<SpanDraft> drafts = new ArrayList<>();
        private final Map<Integer, SpanDraft> stepSpans = new HashMap<>();
        private final Map<Integer, SpanDraft> effectSpans = new HashMap<>();
        private final List<JobRecord> jobList;
        private final List<EffectRecord> effects;
        private final Map<Integer, JobRecord> jobs = new HashMap<>();
        private SpanDraft root;

        Assembly(RequestRecord r) {
            this.r = r;
            this.jobList = r.jobs();   // each accessor copies: read them once
            this.effects = r.effects();
            for (JobRecord j : jobList) {
                jobs.put(j.id(), j);
            }
        }

        List<SpanData> run(String samplingReason) {
            root = root(samplingReason);
            drafts.add(root);
            for (StepRecord s : r.steps()) {
                SpanDraft d = s.layer() == StepLayer.CONTINUATION ? continuation(s) : step(s);
                stepSpans.put(s.sequence(), d);
                drafts.add(d);
            }
            for (NeedRecord n : r.needs()) {
                SpanDraft issuer = stepSpans.get(n.stepSequence());
                if (issuer != null) {
                    need(issuer, n);
                }
            }
            for (EffectRecord e : effects) {
                SpanDraft d = effect(e);
                effectSpans.put(e.sequence(), d);
                drafts.add(d);
            }
            for (JobRecord j : jobList) {
                SpanDraft logical = logicalSpan(j);
                if (logical != null && j.endNanos() >= 0) {
                    job(logical, j);
                }
            }
            // After the job events, so that at equal times "resumed" reads before the write it led to.
            for (EffectRecord e : effects) {
                if (e.slotWrite() != null) {
                    slotWrite(effectSpans.get(e.sequence()), e.slotWrite());
                }
            }
            SpanContext remote = r.parentSpanId() == null ? null
                    : SpanContext.createFromRemoteParent(r.traceId(), r.parentSpanId(),
                            r.parentSampled() ? TraceFlags.getSampled() : TraceFlags.getDefault(), TraceState.getDefault());
            List<SpanData> out = new ArrayList<>(drafts.size());
            for (SpanDraft d : drafts) {
                out.add(d.freeze(r.traceId(), remote, resource, scope));
            }
            return out;
        }

        private long epoch(long nanos) {
            return r.toEpochNanos(nanos);
        }

        private long requestEnd() {
            long end = r.endNanos();
            if (end < 0) {
                for (JobRecord j : jobList) {
                    end = Math.max(end, j.endNanos());
                }
            }
            return end < 0 ? r.startNanos() : end;
        }

        // ---- root ----

        private SpanDraft root(String samplingReason) {
            String method = KNOWN_METHODS.contains(r.method()) ? r.method() : "_OTHER";
            String name = "http.server: " + method + (r.route() == null ? "" : " " + r.route());
            SpanDraft d = new SpanDraft(ids.spanId(), null, name, SpanKind.SERVER, epoch(r.startNanos()), epoch(requestEnd()));
            d.put("http.request.method", method);
            if (!method.equals(r.method())) {
                d.put("http.request.method_original", r.method());
            }
            d.put("http.route", r.route());
            d.put("url.scheme", r.scheme());
            d.put("url.path", r.path());
            d.put("url.query", r.query());
            d.put("server.address", r.serverAddress());
            if (r.serverPort() > 0) {
                d.put("server.port", (long) r.serverPort());
            }
            d.put("client.address", r.clientAddress());
            if (r.clientPort() > 0) {
                d.put("client.port", (long) r.clientPort());
            }
            d.put("user_agent.original", r.userAgent());
            d.put("network.transport", "tcp");
            d.put("network.protocol.version", r.protocolVersion());
            r.pathParams().forEach((k, v) -> d.put("url.path.params." + k, v));
            d.put("zerver.request_id", r.requestId());
            d.put("session.id", r.sessionId());
            if (r.status() > 0) {
                d.put("http.response.status_code", (long) r.status());
            }
            d.put("http.request.body.size", r.requestBodySize());
            if (r.responseBodySize() >= 0) {
                d.put("http.response.body.size", r.responseBodySize());
            }
            if (r.errorWhat() != null) {
                d.put("zerver.error.what", r.errorWhat());
                d.put("zerver.error.key", r.errorKey());
            }
            d.put("zerver.sampling.reason", samplingReason);
            if (dup) {
                d.put("http.method", r.method());
                if (r.status() > 0) {
                    d.put("http.status_code", (long) r.status());
                }
                d.put("http.target", r.query() == null ? r.path() : r.path() + "?" + r.query());
                d.put("http.scheme", r.scheme());
                d.put("http.url", serverUrl());
                d.put("http.user_agent", r.userAgent());
                d.put("http.client_ip", r.clientAddress());
                d.put("net.host.name", r.serverAddress());
                if (r.serverPort() > 0) {
                    d.put("net.host.port", (long) r.serverPort());
                }
                d.put("http.flavor", r.protocolVersion());
            }
            if (r.status() >= 500) {
                String type = r.errorType() != null ? r.errorType() : String.valueOf(r.status());
                d.put("error.type", type);
                d.status(StatusCode.ERROR, null);
            }
            return d;
        }

        private String serverUrl() {
            StringBuilder u = new StringBuilder(r.scheme()).append("://").append(r.serverAddress());
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

        private SpanDraft step(StepRecord s) {
            long end = s.endNanos() >= 0 ? s.endNanos() : s.startNanos();
            SpanDraft d = new SpanDraft(ids.spanId(), root.spanId, "step." + s.name(), SpanKind.INTERNAL,
                    epoch(s.startNanos()), epoch(end));
            stepAttributes(d, s);
            return d;
        }

        private SpanDraft continuation(StepRecord s) {
            JobRecord job = jobs.get(s.jobId());
            long start = job != null && job.enqueueNanos() >= 0 ? job.enqueueNanos() : s.startNanos();
            long end = job != null && job.endNanos() >= 0 ? job.endNanos() : Math.max(s.startNanos(), s.endNanos());
            SpanDraft d = new SpanDraft(ids.spanId(), root.spanId, "step." + s.name() + ".resume", SpanKind.INTERNAL,
                    epoch(start), epoch(end));
            stepAttributes(d, s);
            d.put("zerver.resume.fn", s.resumeFn());
            d.put("zerver.decision", s.decision());
            return d;
        }

        private void stepAttributes(SpanDraft d, StepRecord s) {
            d.put("zerver.step.sequence", (long) s.sequence());
            d.put("zerver.step.layer", s.layer().value());
            d.put("zerver.step.decision", s.decision());
            d.put("zerver.step.reads", s.reads());
            d.put("zerver.step.writes", s.writes());
            if ("Need".equals(s.decision()) && s.layer() != StepLayer.CONTINUATION) {
                d.put("zerver.step.resume", s.resumeFn());
            }
            if (s.renderPhase() != null) {
                d.put("render.phase", s.renderPhase());
                if (s.renderSizeBytes() >= 0) {
                    d.put("render.size_bytes", s.renderSizeBytes());
                }
            }
            for (SlotWrite w : s.slotWrites()) {
                slotWrite(d, w);
            }
            if (s.isSystemFailure()) {
                d.put("error.type", s.errorType());
                d.status(StatusCode.ERROR, null);
            } else if (!"Fail".equals(s.decision()) && s.decision() != null) {
                d.status(StatusCode.OK, null);
            }
        }

        private void need(SpanDraft d, NeedRecord n) {
            d.put("need.mode", n.mode());
            d.put("need.join", n.join());
            d.put("need.effects", (long) n.effectCount());
            d.event(epoch(n.requestedNanos()), "zerver.need.requested", Attributes.builder()
                    .put("need.effects", (long) n.effectCount())
                    .put("need.mode", n.mode())
                    .put("need.join", n.join())
                    .build());
            if (n.joinedNanos() >= 0) {
                d.event(epoch(n.joinedNanos()), "zerver.need.join", Attributes.builder()
                        .put("need.completed", (long) n.completed())
                        .put("need.failed", (long) n.failed())
                        .put("need.duration_ms", JobDurations.millis(n.durationNanos()))
                        .build());
            }
        }

        private void slotWrite(SpanDraft d, SlotWrite w) {
            AttributesBuilder a = Attributes.builder().put("zerver.slot", w.slot());
            if (w.sizeBytes() >= 0) {
                a.put("zerver.slot.size_bytes", w.sizeBytes());
            }
            d.event(epoch(w.atNanos()), "zerver.slot.write", a.build());
        }

        // ---- effects ----

        private SpanDraft effect(EffectRecord e) {
            JobRecord job = jobs.get(e.jobId());
            SpanDraft parent = stepSpans.getOrDefault(e.stepSequence(), root);
            long start = job != null && job.enqueueNanos() >= 0 ? job.enqueueNanos() : r.startNanos();
            long end = job != null && job.endNanos() >= 0 ? job.endNanos() : start;
            String spanId = e.spanId() != null ? e.spanId() : ids.spanId();
            SpanDraft d = new SpanDraft(spanId, parent.spanId, e.kind() + "." + e.operation() + " " + e.target(),
                    SpanKind.CLIENT, epoch(start), epoch(end));
            d.put("effect.kind", e.kind());
            d.put("effect.operation", e.operation());
            d.put("effect.target", e.target());
            d.put("effect.required", e.required());
            d.put("effect.timeout_ms", e.timeoutMillis());
            d.put("effect.success", Boolean.TRUE.equals(e.success()));
            e.attributes().forEach(d::putAny);
            if (dup && "http".equals(e.kind())) {
                Map<String, Object> a = e.attributes();
                if (a.containsKey("http.request.method")) {
                    d.putAny("http.method", a.get("http.request.method"));
                }
                if (a.containsKey("url.full")) {
                    d.putAny("http.url", a.get("url.full"));
                }
                if (a.containsKey("http.response.status_code")) {
                    d.putAny("http.status_code", a.get("http.response.status_code"));
                }
            }
            for (RetryRecord retry : e.retries()) {
                d.event(epoch(retry.atNanos()), "zerver.retry", Attributes.builder()
                        .put("retry.attempt", (long) retry.attempt())
                        .put("retry.reason", retry.reason())
                        .put("retry.backoff_ms", JobDurations.millis(retry.backoffNanos()))
                        .build());
            }
            if (Boolean.TRUE.equals(e.success())) {
                d.status(StatusCode.OK, null);
            } else if (Boolean.FALSE.equals(e.success())) {
                d.put("error.type", e.errorType());
                if (e.required() && e.isInfrastructureFailure()) {
                    String message = e.errorMessage();
                    d.status(StatusCode.ERROR, message != null && !message.equals(e.errorType()) ? message : null);
                }
            }
            return d;
        }

        // ---- jobs ----

        private SpanDraft logicalSpan(JobRecord j) {
            switch (j.owner()) {
                case REQUEST:
                    return root;
                case CONTINUATION:
                    return stepSpans.get(j.ownerSequence());
                default:
                    return effectSpans.get(j.ownerSequence());
            }
        }

        private void job(SpanDraft logical, JobRecord j) {
            JobDurations t = j.durations();
            if (j.type() == JobType.EFFECT) {
                logical.put("job.queue", j.queue());
                logical.put("job.worker_id", j.workerId());
                logical.put("job.attempt", (long) j.attempts());
            }
            logical.put("job.queue_wait_ms", JobDurations.millis(t.queueWait()));
            logical.put("job.dispatch_ms", JobDurations.millis(t.dispatch()));
            logical.put("job.park_wait_ms_total", JobDurations.millis(t.parkWaitTotal()));
            logical.put("job.run_active_ms", JobDurations.millis(t.runActive()));
            logical.put("job.park_count", (long) t.parkCount());

            Attributes enqueued = enqueuedEvent(j);
            Attributes taken = Attributes.builder().put("job.worker_id", String.valueOf(j.workerId())).build();
            if (j.enqueueNanos() >= 0) {
                logical.event(epoch(j.enqueueNanos()), "zerver.job.enqueued", enqueued);
            }
            if (j.takeNanos() >= 0) {
                logical.event(epoch(j.takeNanos()), "zerver.job.taken", taken);
            }
            if (j.startNanos() >= 0) {
                logical.event(epoch(j.startNanos()), "zerver.job.started", Attributes.empty());
            }
            for (ParkEpisode p : j.parks()) {
                logical.event(epoch(p.parkNanos()), "zerver.job.parked", parkAttributes(p));
                if (p.resumed()) {
                    logical.event(epoch(p.resumeNanos()), "zerver.job.resumed", Attributes.empty());
                }
            }
            endEvent(logical, j);
            promote(logical, j, t, enqueued, taken);
        }

        private Attributes enqueuedEvent(JobRecord j) {
            AttributesBuilder a = Attributes.builder().put("job.queue", j.queue());
            if (settings.exportJobDepth() && j.depthAtEnqueue() >= 0) {
                a.put("job.depth", (long) j.depthAtEnqueue());
            }
            return a.build();
        }

        private Attributes parkAttributes(ParkEpisode p) {
            AttributesBuilder a = Attributes.builder()
                    .put("job.park.cause", p.cause().value())
                    .put("job.park.token", p.token());
            if (p.limitCurrent() >= 0) {
                a.put("concurrency.limit.current", p.limitCurrent());
            }
            if (p.limitMax() >= 0) {
                a.put("concurrency.limit.max", p.limitMax());
            }
            return a.build();
        }

        private void endEvent(SpanDraft logical, JobRecord j) {
            long at = epoch(j.endNanos());
            if (j.outcome() == JobOutcome.CANCEL) {
                logical.event(at, "zerver.job.cancelled", Attributes.builder()
                        .put("zerver.cancel.reason", j.cancelReason() == null ? "cancelled" : j.cancelReason()).build());
            } else if (j.outcome() == JobOutcome.FAIL) {
                AttributesBuilder a = Attributes.builder().put("error.type", j.errorType() == null ? "failed" : j.errorType());
                if (j.errorMessage() != null) {
                    a.put("error.message", j.errorMessage());
                }
                logical.event(at, "zerver.job.failed", a.build());
            } else {
                logical.event(at, "zerver.job.completed", Attributes.builder()
                        .put("job.success", true)
                        .put("job.attempts", (long) Math.max(1, j.attempts()))
                        .build());
            }
        }

        /** Contract section 5: a queue wait or park episode becomes a span when it crosses its threshold. */
        private void promote(SpanDraft logical, JobRecord j, JobDurations t, Attributes enqueued, Attributes taken) {
            if (promotion.queueWait(j, t)) {
                long takeAt = j.enqueueNanos() + t.queueWait();
                SpanDraft q = new SpanDraft(ids.spanId(), logical.spanId, "job.queue_wait", SpanKind.INTERNAL,
                        epoch(j.enqueueNanos()), epoch(takeAt));
                q.put("job.queue", j.queue());
                if (settings.exportJobDepth()) {
                    q.put("job.depth_start", (long) j.depthAtEnqueue());
                    q.put("job.depth_end", (long) j.depthAtTake());
                }
                q.event(epoch(j.enqueueNanos()), "zerver.job.enqueued", enqueued);
                if (j.takeNanos() >= 0) {
                    q.event(epoch(j.takeNanos()), "zerver.job.taken", taken);
                }
                drafts.add(q);
            }
            for (ParkEpisode p : j.parks()) {
                if (promotion.park(j, p)) {
                    SpanDraft s = new SpanDraft(ids.spanId(), logical.spanId, "job.park(" + p.cause().value() + ")",
                            SpanKind.INTERNAL, epoch(p.parkNanos()), epoch(Math.max(p.parkNanos(), Promotion.end(j, p))));
                    Attributes a = parkAttributes(p);
                    s.attributes.putAll(a);
                    s.event(epoch(p.parkNanos()), "zerver.job.parked", a);
                    if (p.resumed()) {
                        s.event(epoch(p.resumeNanos()), "zerver.job.resumed", Attributes.empty());
                    }
                    drafts.add(s);
                }
            }
        }
    }
}
