package dev.zerver.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerver.Decision;
import dev.zerver.EffectKind;
import dev.zerver.Need;
import dev.zerver.Response;
import dev.zerver.RetryPolicy;
import dev.zerver.Slot;
import dev.zerver.Step;
import dev.zerver.spi.EffectFailure;
import dev.zerver.telemetry.EffectRecord;
import dev.zerver.telemetry.JobDurations;
import dev.zerver.telemetry.JobOutcome;
import dev.zerver.telemetry.JobRecord;
import dev.zerver.telemetry.ParkCause;
import dev.zerver.telemetry.ParkEpisode;
import dev.zerver.telemetry.RequestRecord;
import dev.zerver.telemetry.RetryRecord;
import dev.zerver.testing.InProcess;
import dev.zerver.testing.ScriptedEffects;
import dev.zerver.testing.ScriptedEffects.Script;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Job lifecycles under the deterministic scheduler: exact timestamps, backpressure, cancellation, retries. */
class LifecycleTest {
    static final Slot<String> A = Slot.of("a", String.class);
    static final Slot<String> B = Slot.of("b", String.class);
    static final long MS = 1_000_000L;

    private static Step twoEffects(Script a, Script b) {
        return Step.named("load").writes(A, B).run(ctx -> Need.parallel(
                ScriptedEffects.effect(EffectKind.DB, "get", "a", a).into(A),
                ScriptedEffects.effect(EffectKind.HTTP, "get", "b", b).into(B))
                .continueWith("show", k -> Decision.done(Response.text(k.require(A) + k.require(B)))));
    }

    /** Timestamps in lifecycle order, and the invariant of contract section 1, exactly. */
    private static void assertLifecycle(JobRecord j) {
        assertThat(j.enqueueNanos()).isLessThanOrEqualTo(j.takeNanos());
        long previous = j.takeNanos();
        if (j.startNanos() >= 0) { // a job cancelled while queued ends when taken, never started
            assertThat(j.takeNanos()).isLessThanOrEqualTo(j.startNanos());
            previous = j.startNanos();
        }
        for (ParkEpisode p : j.parks()) {
            assertThat(p.parkNanos()).isGreaterThanOrEqualTo(previous);
            assertThat(p.resumeNanos()).isGreaterThanOrEqualTo(p.parkNanos());
            previous = p.resumeNanos();
        }
        assertThat(j.endNanos()).isGreaterThanOrEqualTo(previous);
        JobDurations d = j.durations();
        assertThat(d.queueWait() + d.dispatch() + d.parkWaitTotal() + d.runActive())
                .isEqualTo(j.endNanos() - j.enqueueNanos());
        assertThat(d.parkCount()).isEqualTo(j.parks().size());
    }

    @Test
    void everyTransitionIsStampedWhenTheTestMakesItHappen() {
        Deterministic d = new Deterministic(b -> b.get("/p", twoEffects(
                Script.returning("x").park(ParkCause.IO_WAIT, "db", Duration.ofMillis(10)),
                Script.returning("y").park(ParkCause.IO_WAIT, "peer", Duration.ofMillis(20)))));
        InProcess.Exchange ex = d.send("GET", "/p");
        d.scheduler.advance(Duration.ofMillis(2));
        assertThat(d.scheduler.runNext(d.scheduler.continuations())).isTrue();
        assertThat(d.scheduler.queued("effects")).isEqualTo(2);
        d.scheduler.advance(Duration.ofMillis(1));
        d.scheduler.runNext("effects");
        d.scheduler.advance(Duration.ofMillis(1));
        d.scheduler.runNext("effects");
        d.scheduler.runToCompletion();
        assertThat(ex.response().bodyText()).isEqualTo("xy");

        RequestRecord rec = d.record();
        List<JobRecord> jobs = rec.jobs();
        assertThat(jobs).hasSize(4).allSatisfy(LifecycleTest::assertLifecycle)
                .allSatisfy(j -> assertThat(j.outcome()).isEqualTo(JobOutcome.COMPLETE));
        JobRecord root = jobs.get(0);
        assertThat(root.durations().queueWait()).isEqualTo(2 * MS);
        assertThat(root.depthAtEnqueue()).isEqualTo(1);
        assertThat(root.depthAtTake()).isZero();
        assertThat(root.workerId()).isEqualTo(0);

        JobRecord a = jobs.get(1);
        JobRecord b = jobs.get(2);
        assertThat(a.enqueueNanos()).isEqualTo(2 * MS);
        assertThat(a.depthAtEnqueue()).isEqualTo(1);
        assertThat(b.depthAtEnqueue()).isEqualTo(2);
        assertThat(a.depthAtTake()).isEqualTo(1);
        assertThat(a.durations().queueWait()).isEqualTo(1 * MS);
        assertThat(b.durations().queueWait()).isEqualTo(2 * MS);
        assertThat(a.parks()).singleElement().satisfies(p -> {
            assertThat(p.cause()).isEqualTo(ParkCause.IO_WAIT);
            assertThat(p.token()).isEqualTo("db");
            assertThat(p.resumeNanos() - p.parkNanos()).isEqualTo(10 * MS);
        });
        assertThat(a.durations().parkWaitTotal()).isEqualTo(10 * MS);
        assertThat(b.endNanos()).isEqualTo(24 * MS);
        assertThat(a.attempts()).isEqualTo(1);

        JobRecord resume = jobs.get(3);
        assertThat(resume.owner()).isEqualTo(JobRecord.Owner.CONTINUATION);
        assertThat(resume.enqueueNanos()).isEqualTo(24 * MS);
        assertThat(rec.needs().get(0).durationNanos()).isEqualTo(22 * MS);
    }

    @Test
    void aFullContinuationQueueAnswers503AtOnce() {
        Step s = Step.named("s").run(ctx -> Decision.done(Response.text("ok")));
        Deterministic d = new Deterministic(Map.of("ZER_VER_STEP_QUEUE_CAPACITY", "1"), b -> b.get("/p", s));
        InProcess.Exchange first = d.send("GET", "/p");
        InProcess.Exchange second = d.send("GET", "/p");
        assertThat(second.answered()).isTrue();
        assertThat(second.response().status()).isEqualTo(503);
        assertThat(second.response().bodyText()).contains("\"key\":\"overloaded\"");
        d.scheduler.runToCompletion();
        assertThat(first.response().status()).isEqualTo(200);
        RequestRecord rejected = d.record();
        assertThat(rejected.status()).isEqualTo(503);
        assertThat(rejected.jobs()).singleElement().satisfies(j -> {
            assertThat(j.outcome()).isEqualTo(JobOutcome.CANCEL);
            assertThat(j.cancelReason()).isEqualTo("queue_full");
        });
    }

    @Test
    void aJobWaitingForRoomParksWithBackpressureAndTheQueueLimits() {
        Deterministic d = new Deterministic(Map.of("ZER_VER_EFFECT_QUEUE_CAPACITY", "1"),
                b -> b.get("/p", twoEffects(Script.returning("x"), Script.returning("y"))));
        InProcess.Exchange ex = d.send("GET", "/p");
        d.scheduler.runNext("continuations");
        assertThat(d.scheduler.queued("effects")).isEqualTo(1);
        d.scheduler.advance(Duration.ofMillis(7));
        d.scheduler.runToCompletion();
        assertThat(ex.response().bodyText()).isEqualTo("xy");
        JobRecord root = d.record().jobs().get(0);
        assertThat(root.parks()).singleElement().satisfies(p -> {
            assertThat(p.cause()).isEqualTo(ParkCause.BACKPRESSURE);
            assertThat(p.token()).isEqualTo("effects");
            assertThat(p.limitCurrent()).isEqualTo(1);
            assertThat(p.limitMax()).isEqualTo(1);
            assertThat(p.resumeNanos() - p.parkNanos()).isEqualTo(7 * MS);
        });
        assertLifecycle(root);
    }

    @Test
    void theDeadlineAnswers504AndCancelsWhatIsPending() {
        Step s = Step.named("wait").writes(A).run(ctx -> Need.parallel(
                ScriptedEffects.effect(EffectKind.HTTP, "get", "slow", Script.never()).into(A),
                ScriptedEffects.effect(EffectKind.DB, "get", "queued", Script.returning("x")).into(A).optional())
                .continueWith("never", k -> Decision.next()));
        Deterministic d = new Deterministic(Map.of("ZER_VER_REQUEST_TIMEOUT", "100ms"), b -> b.get("/p", s));
        InProcess.Exchange ex = d.send("GET", "/p");
        d.scheduler.runNext("continuations");
        d.scheduler.runNext("effects");
        d.scheduler.advance(Duration.ofMillis(99));
        assertThat(ex.answered()).isFalse();
        d.scheduler.advance(Duration.ofMillis(1));
        assertThat(ex.response().status()).isEqualTo(504);
        assertThat(ex.response().bodyText()).contains("deadline_exceeded");
        d.scheduler.runToCompletion();
        RequestRecord rec = d.record();
        assertThat(rec.cancelReason()).isEqualTo("deadline");
        List<JobRecord> effects = rec.jobs().stream().filter(j -> j.owner() == JobRecord.Owner.EFFECT).toList();
        assertThat(effects).hasSize(2).allSatisfy(j -> {
            assertThat(j.outcome()).isEqualTo(JobOutcome.CANCEL);
            assertThat(j.cancelReason()).isEqualTo("deadline");
            assertThat(j.endNanos()).isEqualTo(100 * MS);
            assertLifecycle(j);
        });
        assertThat(effects.get(1).startNanos()).as("the queued job never started").isEqualTo(-1);
    }

    @Test
    void aClientThatLeavesCancelsTheRequest() {
        Deterministic d = new Deterministic(b -> b.get("/p", twoEffects(Script.never(), Script.never())));
        InProcess.Exchange ex = d.send("GET", "/p");
        d.scheduler.runNext("continuations");
        d.scheduler.runNext("effects");
        ex.cancel("client_gone");
        d.scheduler.runToCompletion();
        RequestRecord rec = d.record();
        assertThat(rec.cancelReason()).isEqualTo("client_gone");
        assertThat(rec.jobs().subList(1, 3)).allSatisfy(j -> assertThat(j.outcome()).isEqualTo(JobOutcome.CANCEL));
        assertThat(d.scheduler.pendingTimers()).isZero();
    }

    @Test
    void aTimeoutFiresExactlyWhenDue() {
        Step s = Step.named("t").writes(A).run(ctx -> Need.of(ScriptedEffects
                .effect(EffectKind.HTTP, "get", "peer", Script.never()).into(A).timeout(Duration.ofMillis(50))));
        Deterministic d = new Deterministic(b -> b.get("/p", s));
        InProcess.Exchange ex = d.send("GET", "/p");
        d.scheduler.runUntilIdle();
        d.scheduler.advance(Duration.ofNanos(50 * MS - 1));
        assertThat(ex.answered()).isFalse();
        d.scheduler.advance(Duration.ofNanos(1));
        d.scheduler.runUntilIdle();
        assertThat(ex.response().status()).isEqualTo(500);
        RequestRecord rec = d.record();
        EffectRecord e = rec.effects().get(0);
        assertThat(e.errorType()).isEqualTo("timeout");
        assertThat(e.isInfrastructureFailure()).isTrue();
        JobRecord job = rec.jobs().get(1);
        assertThat(job.outcome()).isEqualTo(JobOutcome.FAIL);
        assertThat(job.endNanos() - job.startNanos()).isEqualTo(50 * MS);
    }

    @Test
    void retriesBackOffOnTimerParksAndOnlyForInfrastructureFailures() {
        Script flaky = Script.returning("ok").failFirst(2, EffectFailure.infrastructure("io_error", "reset"));
        Step s = Step.named("r").writes(A).run(ctx -> Need.of(ScriptedEffects.effect(EffectKind.HTTP, "get", "peer",
                flaky).into(A).retry(RetryPolicy.attempts(3).backoff(Duration.ofMillis(10)).multiplier(2)))
                .continueWith("show", k -> Decision.done(Response.text(k.require(A)))));
        Deterministic d = new Deterministic(b -> b.get("/p", s));
        assertThat(d.call("GET", "/p").bodyText()).isEqualTo("ok");
        assertThat(flaky.calls()).isEqualTo(3);
        RequestRecord rec = d.record();
        EffectRecord e = rec.effects().get(0);
        assertThat(e.attempts()).isEqualTo(3);
        assertThat(e.retries()).extracting(RetryRecord::attempt, RetryRecord::reason, RetryRecord::backoffNanos)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(2, "io_error", 10 * MS),
                        org.assertj.core.groups.Tuple.tuple(3, "io_error", 20 * MS));
        JobRecord job = rec.jobs().get(1);
        assertThat(job.attempts()).isEqualTo(3);
        assertThat(job.parks()).extracting(ParkEpisode::cause, ParkEpisode::token).containsOnly(
                org.assertj.core.groups.Tuple.tuple(ParkCause.TIMER, "retry_backoff"));
        assertThat(job.durations().parkWaitTotal()).isEqualTo(30 * MS);
        assertLifecycle(job);

        Script notFound = Script.failing(EffectFailure.application("not_found", "no row", 404));
        Step s2 = Step.named("r").writes(A).run(ctx -> Need.of(ScriptedEffects.effect(EffectKind.DB, "get", "row",
                notFound).into(A).retry(RetryPolicy.attempts(3))));
        Deterministic d2 = new Deterministic(b -> b.get("/p", s2));
        assertThat(d2.call("GET", "/p").status()).isEqualTo(404);
        assertThat(notFound.calls()).isEqualTo(1);
        assertThat(d2.record().effects().get(0).retries()).isEmpty();
    }
}
