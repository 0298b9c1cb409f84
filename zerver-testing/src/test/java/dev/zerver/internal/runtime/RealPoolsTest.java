package dev.zerver.internal.runtime;

import dev.zerver.spi.InboundRequest;
import static org.assertj.core.api.Assertions.assertThat;

import dev.zerver.Decision;
import dev.zerver.Effect;
import dev.zerver.EffectKind;
import dev.zerver.Need;
import dev.zerver.Response;
import dev.zerver.Slot;
import dev.zerver.Step;
import dev.zerver.Zerver;
import dev.zerver.spi.EffectContext;
import dev.zerver.spi.EffectFailure;
import dev.zerver.spi.EffectHandler;
import dev.zerver.spi.EffectResult;
import dev.zerver.telemetry.JobOutcome;
import dev.zerver.telemetry.JobRecord;
import dev.zerver.telemetry.ParkCause;
import dev.zerver.telemetry.RequestRecord;
import dev.zerver.testing.InProcess;
import dev.zerver.testing.ScriptedEffects;
import dev.zerver.testing.ScriptedEffects.Script;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * 10,000 jobs on real worker pools with real timers: 2,000 requests of five jobs each (the
 * request job, three parallel effects that park at random, the continuation). Every job must
 * reach exactly one end, no effect may run twice, and every request must be answered once.
 */
class RealPoolsTest {
    static final Slot<String> A = Slot.of("a", String.class);
    static final Slot<String> B = Slot.of("b", String.class);
    static final Slot<String> C = Slot.of("c", String.class);
    static final int REQUESTS = 2_000;
    static final ParkCause[] CAUSES = {ParkCause.IO_WAIT, ParkCause.LOCK, ParkCause.RATE_LIMIT, ParkCause.TIMER};

    @Test
    void tenThousandJobsEachEndExactlyOnce() throws Exception {
        Random random = new Random(42);
        Map<Integer, Script[]> scripts = new ConcurrentHashMap<>();
        for (int i = 0; i < REQUESTS; i++) {
            Script[] three = new Script[3];
            for (int k = 0; k < 3; k++) {
                Script s = Script.returning(i + ":" + k);
                int parks = random.nextInt(3);
                for (int p = 0; p < parks; p++) {
                    s = s.park(CAUSES[random.nextInt(CAUSES.length)], "t" + p,
                            Duration.ofNanos(random.nextInt(2_000_000)));
                }
                three[k] = s;
            }
            scripts.put(i, three);
        }
        Step fan = Step.named("fan").writes(A, B, C).run(ctx -> {
            Script[] s = scripts.get(Integer.parseInt(ctx.param("i")));
            Effect a = ScriptedEffects.effect(EffectKind.DB, "get", "a", s[0]).into(A);
            Effect b = ScriptedEffects.effect(EffectKind.HTTP, "get", "b", s[1]).into(B);
            Effect c = ScriptedEffects.effect(EffectKind.CACHE, "get", "c", s[2]).into(C);
            return Need.parallel(a, b, c).continueWith("join", k -> Decision.done(
                    Response.text(k.require(A) + "," + k.require(B) + "," + k.require(C))));
        });
        InProcess.Records records = new InProcess.Records();
        Zerver app = Zerver.builder().environment(Map.of("ZER_VER_STEP_WORKERS", "2", "ZER_VER_EFFECT_WORKERS", "2"))
                .port(0).effectHandler(new ScriptedEffects()).listener(records).get("/r/{i}", fan).build().start();
        try {
            Semaphore inFlight = new Semaphore(256);
            List<InProcess.Exchange> exchanges = new ArrayList<>();
            for (int i = 0; i < REQUESTS; i++) {
                inFlight.acquire();
                InProcess.Exchange ex = InProcess.send(app,
                        InboundRequest.builder().method("GET").uri("/r/" + i).build());
                exchanges.add(ex);
                ex.whenAnswered(inFlight::release);
            }
            for (int i = 0; i < REQUESTS; i++) {
                Response r = exchanges.get(i).await(30, TimeUnit.SECONDS);
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.bodyText()).isEqualTo(i + ":0," + i + ":1," + i + ":2");
            }
            List<RequestRecord> finished = new ArrayList<>();
            while (finished.size() < REQUESTS) {
                RequestRecord r = records.take(30, TimeUnit.SECONDS);
                assertThat(r).as("record %d of %d", finished.size() + 1, REQUESTS).isNotNull();
                finished.add(r);
            }
            assertThat(records.take(50, TimeUnit.MILLISECONDS)).as("no record twice").isNull();

            int jobs = 0;
            int parks = 0;
            Set<String> traceIds = new HashSet<>();
            for (RequestRecord r : finished) {
                assertThat(traceIds.add(r.traceId())).isTrue();
                for (JobRecord j : r.jobs()) {
                    jobs++;
                    parks += j.parks().size();
                    assertThat(j.outcome()).as("%s", j).isEqualTo(JobOutcome.COMPLETE);
                    assertThat(j.isParked()).isFalse();
                    var d = j.durations();
                    assertThat(d.queueWait() + d.dispatch() + d.parkWaitTotal() + d.runActive())
                            .isEqualTo(j.endNanos() - j.enqueueNanos());
                }
            }
            assertThat(jobs).isEqualTo(10_000);
            assertThat(parks).isGreaterThan(REQUESTS);
            for (Script[] three : scripts.values()) {
                for (Script s : three) {
                    assertThat(s.calls()).isEqualTo(1);
                }
            }
        } finally {
            assertThat(app.stop(Duration.ofSeconds(5))).isTrue();
        }
    }

    /**
     * A handler that fails its first {@code failures} calls, answers after that, and notes the
     * thread of every call.
     */
    record Noting(List<String> threads, int failures) implements EffectHandler<String> {
        Noting(int failures) {
            this(java.util.Collections.synchronizedList(new ArrayList<>()), failures);
        }

        @Override
        public Class<String> requestType() {
            return String.class;
        }

        @Override
        public CompletionStage<EffectResult> execute(String request, Effect effect, EffectContext context) {
            threads.add(Thread.currentThread().getName());
            return threads.size() <= failures
                    ? CompletableFuture.failedFuture(EffectFailure.infrastructure("io_error", "reset"))
                    : CompletableFuture.completedFuture(EffectResult.of(failures == 0 ? request : "ok after " + threads.size()));
        }
    }

    @Test
    void aRetryRunsOnAnEffectWorkerNeverOnTheTimerThread() throws Exception {
        Noting flaky = new Noting(2);
        Step s = Step.named("r").writes(A).run(ctx -> Need.of(Effect.of(EffectKind.HTTP, "get", "peer", "x").into(A)
                        .retry(dev.zerver.RetryPolicy.attempts(3).backoff(Duration.ofMillis(5))))
                .continueWith("show", k -> Decision.done(Response.text(k.require(A)))));
        InProcess.Records records = new InProcess.Records();
        Zerver app = Zerver.builder().environment(Map.of()).port(0).effectHandler(flaky).listener(records)
                .get("/r", s).build().start();
        try {
            Response r = InProcess.send(app, InboundRequest.builder().method("GET").uri("/r").build())
                    .await(30, TimeUnit.SECONDS);
            assertThat(r.bodyText()).isEqualTo("ok after 3");
            // The first attempt may run on the step worker that kept the effect it queued; the
            // retries come back through the effect queue from the timer and wake an effect worker.
            assertThat(flaky.threads()).hasSize(3).allSatisfy(t -> assertThat(t).startsWith("zerver-"));
            assertThat(flaky.threads().subList(1, 3)).allSatisfy(t -> assertThat(t).startsWith("zerver-effects-"));
            JobRecord job = records.take(30, TimeUnit.SECONDS).jobs().get(1);
            assertThat(job.outcome()).isEqualTo(JobOutcome.COMPLETE);
            assertThat(job.parks()).hasSize(2).allSatisfy(p -> assertThat(p.token()).isEqualTo("retry_backoff"));
            var d = job.durations();
            assertThat(d.queueWait() + d.dispatch() + d.parkWaitTotal() + d.runActive())
                    .isEqualTo(job.endNanos() - job.enqueueNanos());
        } finally {
            assertThat(app.stop(Duration.ofSeconds(5))).isTrue();
        }
    }

    /**
     * One request at a time, so that the other workers of each pool are idle: the worker that ran
     * a job takes the job it queued next itself instead of waking one of them. The hand-off stays
     * in the record (enqueue, take, and the queue wait between them).
     */
    @Test
    void aWorkerTakesTheJobItQueuedWhileAnotherOfItsPoolIsIdle() throws Exception {
        assertKeptHandOffs(2, 2, true);
    }

    /** With one step worker, keeping the effect would leave no step worker free: it wakes an effect worker. */
    @Test
    void theLastFreeStepWorkerNeverKeepsAnEffect() throws Exception {
        assertKeptHandOffs(1, 2, false);
    }

    private static void assertKeptHandOffs(int stepWorkers, int effectWorkers, boolean stepWorkerKeepsEffect)
            throws Exception {
        // The effect answers only once every step worker but the one running it waits for a job:
        // a step worker still returning from the request's first job would take the continuation
        // because it is awake anyway, which the runtime allows and this test is not about.
        java.util.concurrent.atomic.AtomicReference<JobSystem> system = new java.util.concurrent.atomic.AtomicReference<>();
        Noting handler = new Noting(0);
        EffectHandler<String> afterIdleSteps = new EffectHandler<>() {
            @Override
            public Class<String> requestType() {
                return String.class;
            }

            @Override
            public CompletionStage<EffectResult> execute(String request, Effect effect, EffectContext context) {
                boolean onStepWorker = Thread.currentThread().getName().startsWith("zerver-continuations-");
                try {
                    awaitIdle(system.get().continuations(), onStepWorker ? stepWorkers - 1 : stepWorkers);
                } catch (InterruptedException e) {
                    return CompletableFuture.failedFuture(e);
                }
                return handler.execute(request, effect, context);
            }
        };
        Step s = Step.named("r").writes(A).run(ctx -> Need.of(Effect.of(EffectKind.OTHER, "run", "echo", "x").into(A))
                .continueWith("show", k -> Decision.done(Response.text(k.require(A)))));
        InProcess.Records records = new InProcess.Records();
        Zerver app = Zerver.builder()
                .environment(Map.of("ZER_VER_STEP_WORKERS", String.valueOf(stepWorkers), "ZER_VER_EFFECT_WORKERS",
                        String.valueOf(effectWorkers)))
                .port(0).effectHandler(afterIdleSteps).listener(records).get("/r", s).build().start();
        try {
            JobSystem pools = runtimeOf(app).jobs();
            system.set(pools);
            for (int i = 0; i < 20; i++) {
                awaitIdle(pools.continuations(), stepWorkers);
                awaitIdle(pools.effects(), effectWorkers);
                Response r = InProcess.send(app, InboundRequest.builder().method("GET").uri("/r").build())
                        .await(30, TimeUnit.SECONDS);
                assertThat(r.bodyText()).isEqualTo("x");
                List<? extends JobRecord> jobs = records.take(30, TimeUnit.SECONDS).jobs();
                assertThat(jobs).hasSize(3);
                JobRecord root = jobs.get(0);
                JobRecord effect = jobs.get(1);
                JobRecord continuation = jobs.get(2);
                assertThat(root.workerId()).as("step workers are numbered first").isLessThan(stepWorkers);
                if (stepWorkerKeepsEffect) {
                    assertThat(effect.workerId()).as("request %d: the step worker kept the effect", i)
                            .isEqualTo(root.workerId());
                    assertThat(handler.threads().get(i)).isEqualTo("zerver-continuations-" + root.workerId());
                } else {
                    assertThat(effect.workerId()).as("request %d: an effect worker took the effect", i)
                            .isBetween(stepWorkers, stepWorkers + effectWorkers - 1);
                    assertThat(handler.threads().get(i)).isEqualTo("zerver-effects-" + effect.workerId());
                }
                assertThat(continuation.workerId()).as("request %d: the continuation stayed with the effect's worker", i)
                        .isEqualTo(effect.workerId());
                for (JobRecord j : jobs) {
                    assertThat(j.enqueueNanos()).isLessThanOrEqualTo(j.takeNanos());
                    var d = j.durations();
                    assertThat(d.queueWait() + d.dispatch() + d.parkWaitTotal() + d.runActive())
                            .isEqualTo(j.endNanos() - j.enqueueNanos());
                }
            }
        } finally {
            assertThat(app.stop(Duration.ofSeconds(5))).isTrue();
        }
    }

    /** Waits (a condition, not a time) until every worker of the queue's pool waits for a job. */
    private static void awaitIdle(JobQueue queue, int workers) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (queue.idleWorkers() < workers) {
            assertThat(System.nanoTime()).as("%s: %d workers idle", queue, queue.idleWorkers()).isLessThan(deadline);
            Thread.sleep(1);
        }
    }

    private static ZerverRuntime runtimeOf(Zerver app) throws ReflectiveOperationException {
        var field = Zerver.class.getDeclaredField("runtime");
        field.setAccessible(true);
        return (ZerverRuntime) field.get(app);
    }
}
