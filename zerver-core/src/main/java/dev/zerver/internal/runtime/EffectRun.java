package dev.zerver.internal.runtime;

import dev.zerver.Effect;
import dev.zerver.RetryPolicy;
import dev.zerver.spi.Clock;
import dev.zerver.spi.EffectContext;
import dev.zerver.spi.EffectFailure;
import dev.zerver.spi.EffectHandler;
import dev.zerver.spi.EffectResult;
import dev.zerver.spi.Timers;
import dev.zerver.internal.record.MutableEffectRecord;
import dev.zerver.telemetry.ExecutionScopes;
import dev.zerver.telemetry.ParkCause;
import dev.zerver.telemetry.RetryRecord;
import java.io.IOException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The work of an effect job: attempts with timeout and retry, then the join.
 *
 * <p>An attempt ends exactly once, by whichever comes first: the handler's result, the timeout,
 * or the request's cancellation. That race, and the handler's park/resume calls, are guarded by
 * a private lock; nothing else about the job is.
 */
final class EffectRun implements Job.Work {
    /** Marks an attempt ended by the request's cancellation. */
    private static final EffectFailure CANCELLED = EffectFailure.infrastructure("cancelled", "request cancelled");
    /** The error type of an attempt refused by an open circuit; it is not retried. */
    static final String CIRCUIT_OPEN = "circuit_open";

    private final NeedExecution need;
    private final int index;
    private final Effect effect;
    private final MutableEffectRecord effectRecord;
    private final EffectHandler<Object> handler;
    private final CircuitBreaker breaker;
    private final Object attemptLock = new Object();
    private Job job;

    EffectRun(NeedExecution need, int index, MutableEffectRecord effectRecord, EffectHandler<Object> handler) {
        this.need = need;
        this.index = index;
        this.effect = need.need.effects().get(index);
        this.effectRecord = effectRecord;
        this.handler = handler;
        this.breaker = need.request.runtime().breaker(effect.kind().value() + ":" + effect.target());
    }

    private RequestExecution request() {
        return need.request;
    }

    private long now() {
        return request().clock().nanoTime();
    }

    @Override
    public void start(Job j) {
        job = j;
        effectRecord.spanId(request().runtime().ids().spanId());
        attempt(1);
    }

    @SuppressWarnings("try") // the scope is held for its close(): the handler runs inside it
    private void attempt(int number) {
        if (request().isCancelled()) {
            need.cancelled();
            job.cancel(request().cancelReason());
            return;
        }
        job.record().attempt(number);
        effectRecord.attempts(number);
        Attempt attempt = new Attempt(number);
        request().watch(job, attempt::cancel);
        if (breaker != null && !breaker.allow(now())) {
            attempt.settle(null, EffectFailure.infrastructure(CIRCUIT_OPEN, "the circuit of " + effect.kind().value()
                    + " " + effect.target() + " is open after repeated failures"));
            return;
        }
        long timeoutNanos = effect.timeout().toNanos();
        if (timeoutNanos > 0) {
            attempt.timer = request().runtime().timers().schedule(timeoutNanos, () -> attempt.settle(null,
                    EffectFailure.infrastructure("timeout", effect + " took longer than " + effect.timeout().toMillis()
                            + " ms")));
        }
        CompletionStage<EffectResult> stage;
        try (ExecutionScopes.Scope scope = request().runtime().scopes().enter(request().record(), effectRecord.spanId())) {
            stage = handler.execute(effect.request(), effect, attempt);
            if (stage == null) {
                throw new IllegalStateException(handler.getClass().getName() + " returned null for " + effect);
            }
        } catch (Throwable t) {
            attempt.settle(null, EffectFailure.from(t));
            return;
        }
        stage.whenComplete((result, error) -> attempt.settle(result, error == null ? null : EffectFailure.from(error)));
    }

    private void attemptEnded(int number, EffectResult result, EffectFailure failure) {
        request().unwatch(job);
        if (failure == CANCELLED) {
            if (breaker != null) {
                breaker.abandoned();
            }
            need.cancelled();
            job.cancel(request().cancelReason());
            return;
        }
        recordOnBreaker(failure);
        Object value = null;
        if (failure == null) {
            try {
                value = effect.slot() == null ? null : SlotValues.convert(result == null ? null : result.value(),
                        effect.slot());
            } catch (IOException | RuntimeException e) {
                failure = EffectFailure.application("decode_error", "cannot convert the result of " + effect + " to "
                        + effect.slot().type().getSimpleName() + ": " + e.getMessage(), 500);
            }
        }
        if (failure == null) {
            effectRecord.succeeded();
            long size = result == null ? 0 : result.sizeBytes();
            follow(need.finished(index, effectRecord, value, size, null), job::complete);
            return;
        }
        RetryPolicy policy = effect.retryPolicy();
        if (failure.isInfrastructure() && !CIRCUIT_OPEN.equals(failure.type()) && number < policy.maxAttempts()
                && !request().isCancelled()) {
            retryLater(number, failure, policy);
            return;
        }
        EffectFailure f = failure;
        effectRecord.failed(f.kind(), f.type(), f.getMessage(), effect.target(), f.type());
        follow(need.finished(index, effectRecord, null, -1, f), () -> job.fail(f.type(), f.getMessage()));
    }

    /** Feeds an attempt's outcome to the target's breaker; refusals by the breaker itself are not outcomes. */
    private void recordOnBreaker(EffectFailure failure) {
        if (breaker == null || failure != null && CIRCUIT_OPEN.equals(failure.type())) {
            return;
        }
        if (failure == null || !failure.isInfrastructure()) {
            breaker.succeeded();
        } else {
            breaker.failed(now());
        }
    }

    private void retryLater(int number, EffectFailure failure, RetryPolicy policy) {
        long backoff = policy.backoffNanos(number, policy.jitter() == 0 ? 0.5 : ThreadLocalRandom.current().nextDouble());
        effectRecord.retry(new RetryRecord(number + 1, failure.type(), backoff, now()));
        job.park(ParkCause.TIMER, "retry_backoff", -1, -1);
        Timers.Timer[] timer = new Timers.Timer[1];
        request().watch(job, () -> {
            Timers.Timer t = timer[0];
            if (t != null && t.cancel()) {
                request().unwatch(job);
                job.resume();
                need.cancelled();
                job.cancel(request().cancelReason());
            }
        });
        // The next attempt runs on an effect worker, never on the timer thread: a blocking handler
        // there would hold up every timer in the process.
        timer[0] = request().runtime().timers().schedule(backoff, () -> {
            request().unwatch(job);
            job.continueOnQueue(() -> {
                job.resume();
                attempt(number + 1);
            });
        });
    }

    /** Acts on the join's answer, then ends this job with {@code end}. */
    private void follow(NeedExecution.Next next, Runnable end) {
        switch (next.kind()) {
            case RESUME:
                job.handOff(request().newContinuationJob(need), end);
                break;
            case DISPATCH:
                job.handOff(request().newEffectJob(need, next.index()), end);
                break;
            default:
                end.run();
        }
    }

    /** One attempt; also the handler's view of the job. */
    private final class Attempt implements EffectContext {
        private final int number;
        private Timers.Timer timer;
        private boolean settled;
        private volatile boolean abandoned;
        private volatile Runnable abandonHook;

        Attempt(int number) {
            this.number = number;
        }

        void cancel() {
            settle(null, CANCELLED);
        }

        void settle(EffectResult result, EffectFailure failure) {
            synchronized (attemptLock) {
                if (settled) {
                    return;
                }
                settled = true;
                if (timer != null) {
                    timer.cancel();
                }
                job.resume();
            }
            boolean fromOutside = failure == CANCELLED || (failure != null && "timeout".equals(failure.type())
                    && result == null);
            if (fromOutside) {
                abandoned = true;
                Runnable hook = abandonHook;
                if (hook != null) {
                    // Called from a timer or the cancelling thread; a hook may block (a statement cancel).
                    request().runtime().runAside(hook);
                }
            }
            attemptEnded(number, result, failure);
        }

        @Override
        public void park(ParkCause cause, String token, long limitCurrent, long limitMax) {
            synchronized (attemptLock) {
                if (!settled) {
                    job.park(cause, token, limitCurrent, limitMax);
                }
            }
        }

        @Override
        public void resume() {
            synchronized (attemptLock) {
                if (!settled) {
                    job.resume();
                }
            }
        }

        @Override
        public int attempt() {
            return number;
        }

        @Override
        public Clock clock() {
            return request().clock();
        }

        @Override
        public Timers timers() {
            return request().runtime().timers();
        }

        @Override
        public String traceId() {
            return request().record().traceId();
        }

        @Override
        public boolean sampled() {
            return request().record().headSampled();
        }

        @Override
        public String baggage() {
            return request().record().baggage();
        }

        @Override
        public String traceparent() {
            return request().runtime().propagation().traceContext() ? EffectContext.super.traceparent() : null;
        }

        @Override
        public String spanId() {
            return effectRecord.spanId();
        }

        @Override
        public void attribute(String name, Object value) {
            synchronized (attemptLock) {
                if (!settled) {
                    effectRecord.attribute(name, value);
                }
            }
        }

        @Override
        public void onAbandon(Runnable hook) {
            abandonHook = hook;
        }

        @Override
        public boolean isAbandoned() {
            return abandoned;
        }
    }
}
