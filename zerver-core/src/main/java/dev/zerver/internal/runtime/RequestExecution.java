package dev.zerver.internal.runtime;

import dev.zerver.spi.InboundRequest;
import dev.zerver.spi.ResponseSink;
import dev.zerver.spi.InFlightRequest;
import dev.zerver.Decision;
import dev.zerver.Effect;
import dev.zerver.ErrorRenderer;
import dev.zerver.FailException;
import dev.zerver.Need;
import dev.zerver.Response;
import dev.zerver.Step;
import dev.zerver.StepFunction;
import dev.zerver.internal.routing.RouteMatch;
import dev.zerver.spi.Clock;
import dev.zerver.spi.EffectHandler;
import dev.zerver.spi.Timers;
import dev.zerver.internal.record.MutableEffectRecord;
import dev.zerver.telemetry.ExecutionScopes;
import dev.zerver.internal.record.MutableJobRecord;
import dev.zerver.telemetry.JobType;
import dev.zerver.internal.record.MutableNeedRecord;
import dev.zerver.telemetry.Propagation;
import dev.zerver.telemetry.Redaction;
import dev.zerver.internal.record.MutableRequestRecord;
import dev.zerver.telemetry.StepLayer;
import dev.zerver.internal.record.MutableStepRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One request on its way through the runtime: route match, steps as step jobs, Needs as effect
 * jobs, the response, and the record that is handed to listeners once the response is written
 * and the last job has ended.
 *
 * <p>Pipeline state (the matched route, the slot values, the running step) is only touched by
 * the job that currently runs the request's steps; the queues hand it from job to job.
 */
final class RequestExecution implements InFlightRequest {
    private static final System.Logger LOG = System.getLogger(RequestExecution.class.getName());

    private final ZerverRuntime runtime;
    private final MutableRequestRecord record;
    private final RequestContext ctx;
    private final ResponseSink sink;
    /** Jobs not yet ended, plus one for the response. At zero the record is finished. */
    private final AtomicInteger outstanding = new AtomicInteger(1);
    private final AtomicBoolean responseClaimed = new AtomicBoolean();
    private final AtomicReference<String> cancelReason = new AtomicReference<>();
    private final Map<Job, Runnable> watched = new ConcurrentHashMap<>();
    private volatile Timers.Timer deadline;
    private List<Step> pipeline = List.of();
    private List<StepLayer> layers = List.of();
    // Written by a step worker, read by whichever thread answers (the deadline timer among them).
    private volatile boolean head;
    private volatile String allow;
    private volatile String systemFailureType;

    private RequestExecution(ZerverRuntime runtime, MutableRequestRecord record, RequestContext ctx, ResponseSink sink) {
        this.runtime = runtime;
        this.record = record;
        this.ctx = ctx;
        this.sink = sink;
    }

    /** Starts a request: its record, its deadline, and the first step job (or 503 when the queue is full). */
    static InFlightRequest dispatch(ZerverRuntime runtime, InboundRequest in, ResponseSink sink) {
        Clock clock = runtime.clock();
        long now = clock.nanoTime();
        long offset = clock.epochNanos() - now;
        Propagation propagation = runtime.propagation();
        TraceParent parent = propagation.traceContext() ? TraceParent.parse(in.header("traceparent")) : null;
        String traceId = parent != null ? parent.traceId() : runtime.ids().traceId();
        String requestId = parent != null ? parent.traceId() : sanitizeRequestId(in.header("x-request-id"));
        if (requestId == null) {
            requestId = traceId;
        }
        int q = in.uri().indexOf('?');
        String host = in.header("host");
        String serverAddress = in.localAddress();
        int serverPort = in.localPort();
        if (host != null && !host.isBlank()) {
            int colon = host.lastIndexOf(':');
            boolean hasPort = colon > host.lastIndexOf(']');
            serverAddress = hasPort ? host.substring(0, colon) : host;
            if (hasPort) {
                try {
                    serverPort = Integer.parseInt(host.substring(colon + 1));
                } catch (NumberFormatException e) {
                    serverAddress = host;
                }
            }
        }
        MutableRequestRecord record = MutableRequestRecord.builder()
                .ids(requestId, traceId, parent == null ? null : parent.parentSpanId(), parent != null && parent.sampled())
                .rootSpanId(runtime.ids().spanId())
                .headSampled(runtime.headSampler().sampled(traceId, parent == null ? null : parent.parentSpanId(),
                        parent != null && parent.sampled()))
                .clock(in.startNanos() >= 0 ? in.startNanos() : now, offset)
                .request(in.method(), in.scheme(), q < 0 ? in.uri() : in.uri().substring(0, q),
                        q < 0 ? null : Redaction.query(in.uri().substring(q + 1)), in.protocolVersion())
                .server(serverAddress, serverPort)
                .client(in.clientAddress(), in.clientPort())
                .userAgent(in.header("user-agent"))
                .baggage(propagation.baggage() ? baggageOf(in.header("baggage")) : null)
                .bodySize(in.body().length)
                .build();
        RequestExecution exec = new RequestExecution(runtime, record, new RequestContext(in, requestId, record, clock),
                sink);
        if (!runtime.admit(exec)) {
            exec.respondFail(new Decision.Fail(503, "server", "shutting_down"));
            return exec;
        }
        exec.deadline = runtime.timers().schedule(runtime.settings().requestTimeout().toNanos(),
                () -> exec.cancel("deadline", new Decision.Fail(504, "request", "deadline_exceeded")));
        JobQueue continuations = runtime.jobs().continuations();
        Job root = exec.newJob(JobType.STEP, continuations, MutableJobRecord.Owner.REQUEST, 0, exec::runFromDispatch);
        boolean queued = runtime.settings().firstStepOnEventLoop()
                ? runtime.jobs().offerAndRunHere(continuations, root)
                : continuations.offer(root);
        if (!queued) {
            root.cancel("queue_full");
            exec.respondFail(new Decision.Fail(503, "server", "overloaded"));
        }
        return exec;
    }

    @Override
    public void cancel(String reason) {
        cancel(reason, null);
    }

    /** W3C baggage is limited to 8192 bytes; a longer header is dropped rather than passed on. */
    private static String baggageOf(String header) {
        return header == null || header.isBlank() || header.length() > 8192 ? null : header;
    }

    private static String sanitizeRequestId(String value) {
        if (value == null || value.isEmpty() || value.length() > 128) {
            return null;
        }
        for (int i = 0; i < value.length(); i++) {   // [A-Za-z0-9._:-], without a regex per request
            char c = value.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == ':' || c == '-';
            if (!ok) {
                return null;
            }
        }
        return value;
    }

    ZerverRuntime runtime() {
        return runtime;
    }

    Clock clock() {
        return runtime.clock();
    }

    MutableRequestRecord record() {
        return record;
    }

    RequestContext context() {
        return ctx;
    }

    boolean isCancelled() {
        return cancelReason.get() != null;
    }

    String cancelReason() {
        return cancelReason.get();
    }

    // ---- jobs ----

    private Job newJob(JobType type, JobQueue queue, MutableJobRecord.Owner owner, int ownerSequence, Job.Work work) {
        MutableJobRecord jr = new MutableJobRecord(record.nextJobId(), type, queue.name(), owner, ownerSequence);
        record.add(jr);
        outstanding.incrementAndGet();
        return new Job(this, jr, queue, work);
    }

    Job newEffectJob(NeedExecution need, int index) {
        Effect effect = need.need.effects().get(index);
        MutableEffectRecord er = new MutableEffectRecord(record.nextSequence(), need.record.sequence(), need.stepSequence,
                effect.kind().value(), effect.operation(), effect.target(), effect.isRequired(),
                effect.timeout().toMillis(), effect.slot() == null ? null : effect.slot().name());
        record.add(er);
        EffectHandler<Object> handler = runtime.handlers().find(effect.request());
        Job job = newJob(JobType.EFFECT, runtime.jobs().effects(), MutableJobRecord.Owner.EFFECT, er.sequence(),
                new EffectRun(need, index, er, handler));
        er.job(job.record().id());
        return job;
    }

    Job newContinuationJob(NeedExecution need) {
        return newJob(JobType.STEP, runtime.jobs().continuations(), MutableJobRecord.Owner.CONTINUATION,
                need.continuationSequence(), job -> runContinuation(job, need));
    }

    void jobEnded() {
        release();
    }

    /** A job's work threw past its own handling: fail the request, end the job. */
    void brokenJob(Job job, Throwable t) {
        String type = t.getClass().getSimpleName();
        if (systemFailureType == null) {
            systemFailureType = type;
        }
        respondFail(new Decision.Fail(500, "runtime", type));
        job.fail(type, String.valueOf(t.getMessage()));
    }

    void watch(Job job, Runnable onCancel) {
        watched.put(job, onCancel);
        if (isCancelled()) {
            Runnable hook = watched.remove(job);
            if (hook != null) {
                hook.run();
            }
        }
    }

    void unwatch(Job job) {
        watched.remove(job);
    }

    // ---- steps ----

    private void runFromDispatch(Job job) {
        job.record().attempt(1);
        MutableStepRecord sr = new MutableStepRecord(record.nextSequence(), "route_match", StepLayer.SYSTEM, List.of(), List.of(),
                job.record().id(), clock().nanoTime());
        sr.spanId(runtime.ids().spanId());
        record.add(sr);
        RouteMatch match = runtime.router().match(record.method(), ctx.rawPath());
        Decision d;
        if (match instanceof RouteMatch.Found f) {
            record.matched(f.route().template().toString(), f.params());
            ctx.matched(f.route().template().toString(), f.params());
            head = f.head();
            List<Step> steps = new ArrayList<>();
            List<StepLayer> stepLayers = new ArrayList<>();
            add(steps, stepLayers, runtime.globalBefore(), StepLayer.GLOBAL_BEFORE);
            add(steps, stepLayers, f.route().before(), StepLayer.ROUTE_BEFORE);
            add(steps, stepLayers, f.route().steps(), StepLayer.MAIN);
            pipeline = steps;
            layers = stepLayers;
            d = Decision.next();
        } else if (match instanceof RouteMatch.MethodNotAllowed m) {
            allow = String.join(", ", m.allow());
            d = Decision.fail(405, "route", "method_not_allowed");
        } else if (match instanceof RouteMatch.Options o) {
            d = Decision.done(Response.empty(204).header("allow", String.join(", ", o.allow())));
        } else if (match instanceof RouteMatch.BadPath) {
            d = Decision.fail(400, "path", "bad_encoding");
        } else {
            d = Decision.fail(404, "route", "not_found");
        }
        sr.ended(clock().nanoTime(), d.label());
        if (d instanceof Decision.Continue) {
            runPipeline(job, 0);
        } else {
            settle(job, d);
        }
    }

    private static void add(List<Step> steps, List<StepLayer> stepLayers, List<Step> more, StepLayer layer) {
        for (Step s : more) {
            steps.add(s);
            stepLayers.add(layer);
        }
    }

    private void runPipeline(Job job, int from) {
        for (int i = from; i < pipeline.size(); i++) {
            Step step = pipeline.get(i);
            MutableStepRecord sr = newStepRecord(record.nextSequence(), step, layers.get(i), job);
            Decision d = invoke(step, sr, step.function());
            if (d instanceof Need need) {
                dispatchNeed(job, i, step, sr, need);
                return;
            }
            if (!(d instanceof Decision.Continue)) {
                settle(job, d);
                return;
            }
        }
        systemFailureType = "no_response";
        settle(job, new Decision.Fail(500, "pipeline", "no_response"));
    }

    private void runContinuation(Job job, NeedExecution need) {
        job.record().attempt(1);
        Step step = need.step;
        MutableStepRecord sr = newStepRecord(need.continuationSequence(), step, StepLayer.CONTINUATION, job);
        sr.need(need.record.sequence());
        sr.resumeFn(need.need.continuationName());
        Decision d;
        if (!need.succeeded()) {
            d = need.failureDecision();
            if (need.failure() != null && need.failure().isInfrastructure()) {
                systemFailureType = need.failure().type();
            }
            sr.ended(clock().nanoTime(), d.label());
        } else if (need.need.continuation() != null) {
            d = invoke(step, sr, need.need.continuation());
        } else {
            d = Decision.next();
            sr.ended(clock().nanoTime(), d.label());
        }
        if (d instanceof Decision.Continue) {
            runPipeline(job, need.stepIndex + 1);
        } else if (d instanceof Need next) {
            dispatchNeed(job, need.stepIndex, step, sr, next);
        } else {
            settle(job, d);
        }
    }

    private MutableStepRecord newStepRecord(int sequence, Step step, StepLayer layer, Job job) {
        MutableStepRecord sr = new MutableStepRecord(sequence, step.name(), layer, step.readNames(), step.writeNames(),
                job.record().id(), clock().nanoTime());
        sr.spanId(runtime.ids().spanId());
        record.add(sr);
        return sr;
    }

    /** Runs a step function; a throw becomes a system failure, a {@link FailException} an application Fail. */
    private Decision invoke(Step step, MutableStepRecord sr, StepFunction function) {
        ctx.enter(step, sr);
        Decision d;
        ExecutionScopes.Scope scope = runtime.scopes().enter(record, sr.spanId());
        try {
            d = function.apply(ctx);
            if (d == null) {
                throw new IllegalStateException(step + " returned null instead of a Decision");
            }
            if (d instanceof Need need) {
                checkNeed(step, need);
            }
        } catch (FailException e) {
            d = e.fail();
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable t) {
            String type = t.getClass().getSimpleName();
            LOG.log(System.Logger.Level.WARNING, step + " threw on " + record.method() + " " + record.path(), t);
            sr.systemFailure(type);
            systemFailureType = type;
            d = new Decision.Fail(500, "step", type);
        } finally {
            scope.close();
            ctx.leave();
        }
        sr.ended(clock().nanoTime(), d.label());
        if (d instanceof Need need) {
            sr.nextContinuation(need.continuationName());
        } else if (d instanceof Decision.Done done && sr.renderPhase() == null && done.response().renderPhase() != null) {
            sr.rendered(done.response().renderPhase(), done.response().body().length);
        }
        return d;
    }

    private void checkNeed(Step step, Need need) {
        for (Effect e : need.effects()) {
            if (e.slot() != null && !step.mayWrite(e.slot())) {
                throw new IllegalStateException(step + " needs " + e + " into " + e.slot()
                        + " but does not declare it in writes(...)");
            }
            if (runtime.handlers().find(e.request()) == null) {
                throw new IllegalStateException("no effect handler is registered for " + e.request().getClass().getName()
                        + " (" + e + ")");
            }
        }
    }

    private void dispatchNeed(Job job, int stepIndex, Step step, MutableStepRecord sr, Need need) {
        MutableNeedRecord nr = new MutableNeedRecord(record.nextSequence(), sr.sequence(), need.mode().value(),
                need.joinStrategy().value(), need.effects().size(), clock().nanoTime());
        record.add(nr);
        sr.need(nr.sequence());
        NeedExecution exec = new NeedExecution(this, need, nr, step, stepIndex, sr.sequence());
        if (need.mode() == dev.zerver.Mode.SEQUENTIAL) {
            job.handOff(newEffectJob(exec, 0), job::complete);
            return;
        }
        List<Job> jobs = new ArrayList<>(need.effects().size());
        for (int i = 0; i < need.effects().size(); i++) {
            jobs.add(newEffectJob(exec, i));
        }
        handOffAll(job, jobs, 0);
    }

    private void handOffAll(Job job, List<Job> jobs, int from) {
        if (from == jobs.size()) {
            job.complete();
            return;
        }
        job.handOff(jobs.get(from), () -> handOffAll(job, jobs, from + 1));
    }

    /** Done or Fail: answer, and end the step job (FAIL if a step broke). */
    private void settle(Job job, Decision d) {
        if (d instanceof Decision.Done done) {
            respond(done.response());
        } else {
            respondFail((Decision.Fail) d);
        }
        if (systemFailureType != null) {
            job.fail(systemFailureType, record.errorWhat() + ": " + record.errorKey());
        } else {
            job.complete();
        }
    }

    // ---- the response ----

    private void respondFail(Decision.Fail fail) {
        if (!claimResponse()) {
            return;
        }
        record.failed(fail.what(), fail.key(), systemFailureType, systemFailureType != null);
        Response r;
        try {
            r = runtime.errorRenderer().render(ctx, fail);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "the error renderer failed; using the default", e);
            r = ErrorRenderer.json().render(ctx, fail);
        }
        if (fail.status() == 405 && allow != null) {
            r = r.header("allow", allow);
        }
        if (fail.status() == 503) {
            r = r.header("retry-after", "1");
        }
        send(r);
    }

    private void respond(Response response) {
        if (claimResponse()) {
            send(response);
        }
    }

    /** Only the first answer is sent: a late step's after a deadline, say, is dropped. */
    private boolean claimResponse() {
        if (!responseClaimed.compareAndSet(false, true)) {
            return false;
        }
        Timers.Timer d = deadline;
        if (d != null) {
            d.cancel();
        }
        return true;
    }

    private void send(Response response) {
        Response out = response.header("x-request-id", record.requestId());
        try {
            sink.send(out, head, (nanos, bytes) -> {
                record.responded(nanos, out.status(), bytes);
                release();
            });
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not send the response of " + record, e);
            record.responded(clock().nanoTime(), out.status(), 0);
            release();
        }
    }

    /**
     * Cancels the request: pending jobs end CANCEL when taken, waiting ones now. With {@code fail}
     * the client is answered with it; without (the client is gone) nothing is written.
     */
    void cancel(String reason, Decision.Fail fail) {
        if (!cancelReason.compareAndSet(null, reason)) {
            return;
        }
        record.cancelled(reason);
        for (Job job : List.copyOf(watched.keySet())) {
            Runnable hook = watched.remove(job);
            if (hook != null) {
                hook.run();
            }
        }
        if (fail != null) {
            respondFail(fail);
        } else if (claimResponse()) {
            release();
        }
    }

    private void release() {
        if (outstanding.decrementAndGet() == 0) {
            runtime.finished(this);
        }
    }
}
