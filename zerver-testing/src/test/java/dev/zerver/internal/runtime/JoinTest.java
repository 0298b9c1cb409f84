package dev.zerver.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerver.Decision;
import dev.zerver.Effect;
import dev.zerver.EffectKind;
import dev.zerver.Join;
import dev.zerver.Mode;
import dev.zerver.Need;
import dev.zerver.Response;
import dev.zerver.Slot;
import dev.zerver.Step;
import dev.zerver.spi.EffectFailure;
import dev.zerver.telemetry.EffectRecord;
import dev.zerver.telemetry.JobOutcome;
import dev.zerver.telemetry.NeedRecord;
import dev.zerver.telemetry.ParkCause;
import dev.zerver.telemetry.RequestRecord;
import dev.zerver.testing.ScriptedEffects;
import dev.zerver.testing.ScriptedEffects.Script;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Every join strategy in both modes. Three effects a, b, c finish after 10, 20 and 30 ms (their
 * scripted parks), so in PARALLEL mode they finish in that order; in SEQUENTIAL mode each starts
 * when the previous one finished. The continuation answers with the slots it sees.
 */
class JoinTest {
    static final Slot<String> A = Slot.of("a", String.class);
    static final Slot<String> B = Slot.of("b", String.class);
    static final Slot<String> C = Slot.of("c", String.class);
    static final EffectFailure DOWN = EffectFailure.infrastructure("io_error", "peer down");
    static final EffectFailure GONE = EffectFailure.application("not_found", "no such row", 404);

    /** One run of the three-effect Need. */
    private record Outcome(Response response, RequestRecord record, List<Script> scripts) {
        NeedRecord need() {
            return record.needs().get(0);
        }

        String effects() {
            return record.effects().stream().map(JoinTest::describe).collect(Collectors.joining(" "));
        }
    }

    private static String describe(EffectRecord e) {
        String state = e.success() == null ? "unfinished" : e.success() ? "ok" : "failed:" + e.errorType();
        return e.target() + "=" + state + (e.isLate() ? "(late)" : "");
    }

    private static Script after(int millis, Script s) {
        return s.park(ParkCause.IO_WAIT, "io", Duration.ofMillis(millis));
    }

    private static Outcome run(Mode mode, Join join, Effect a, Effect b, Effect c, List<Script> scripts) {
        Step fetch = Step.named("fetch").writes(A, B, C).run(ctx -> {
            Need n = mode == Mode.PARALLEL ? Need.parallel(a, b, c) : Need.sequential(a, b, c);
            return n.join(join).continueWith("show", k -> Decision.done(Response.text(
                    "a=" + k.optional(A).orElse("-") + " b=" + k.optional(B).orElse("-") + " c="
                            + k.optional(C).orElse("-"))));
        });
        Deterministic d = new Deterministic(bld -> bld.get("/j", fetch));
        Response r = d.call("GET", "/j");
        return new Outcome(r, d.record(), scripts);
    }

    /** Builds the three effects from scripts and requiredness, and runs them. */
    private static Outcome run(Mode mode, Join join, Script sa, boolean ra, Script sb, boolean rb, Script sc,
            boolean rc) {
        Effect a = ScriptedEffects.effect(EffectKind.DB, "get", "a", after(10, sa)).into(A).required(ra);
        Effect b = ScriptedEffects.effect(EffectKind.HTTP, "get", "b", after(20, sb)).into(B).required(rb);
        Effect c = ScriptedEffects.effect(EffectKind.CACHE, "get", "c", after(30, sc)).into(C).required(rc);
        return run(mode, join, a, b, c, List.of(sa, sb, sc));
    }

    private static Script ok(String v) {
        return Script.returning(v);
    }

    // ---- ALL ----

    @Test
    void allParallelWaitsForEveryEffect() {
        Outcome o = run(Mode.PARALLEL, Join.ALL, ok("1"), true, ok("2"), true, ok("3"), true);
        assertThat(o.response.bodyText()).isEqualTo("a=1 b=2 c=3");
        assertThat(o.need().success()).isTrue();
        assertThat(o.need().completed()).isEqualTo(3);
        assertThat(o.need().failed()).isZero();
        assertThat(o.need().durationNanos()).isEqualTo(Duration.ofMillis(30).toNanos());
        assertThat(o.need().mode()).isEqualTo("parallel");
        assertThat(o.need().join()).isEqualTo("all");
    }

    @Test
    void allParallelFailsAsSoonAsARequiredEffectFails() {
        Outcome o = run(Mode.PARALLEL, Join.ALL, ok("1"), true, Script.failing(DOWN), true, ok("3"), true);
        assertThat(o.response.status()).isEqualTo(500);
        assertThat(o.response.bodyText()).contains("\"what\":\"b\"").contains("\"key\":\"io_error\"");
        assertThat(o.need().success()).isFalse();
        assertThat(o.need().durationNanos()).isEqualTo(Duration.ofMillis(20).toNanos());
        assertThat(o.effects()).isEqualTo("a=ok b=failed:io_error c=ok(late)");
        assertThat(o.record.effects().get(1).isInfrastructureFailure()).isTrue();
    }

    @Test
    void allParallelIgnoresAnOptionalFailureAndLeavesItsSlotEmpty() {
        Outcome o = run(Mode.PARALLEL, Join.ALL, ok("1"), true, Script.failing(GONE), false, ok("3"), true);
        assertThat(o.response.status()).isEqualTo(200);
        assertThat(o.response.bodyText()).isEqualTo("a=1 b=- c=3");
        assertThat(o.need().completed()).isEqualTo(2);
        assertThat(o.need().failed()).isEqualTo(1);
        assertThat(o.record.effects().get(1).isInfrastructureFailure()).isFalse();
    }

    @Test
    void allSequentialRunsInOrderAndStopsAtARequiredFailure() {
        Script sc = ok("3");
        Outcome o = run(Mode.SEQUENTIAL, Join.ALL, Script.failing(GONE), true, ok("2"), true, sc, true);
        assertThat(o.response.status()).isEqualTo(404);
        assertThat(o.scripts.get(1).calls()).isZero();
        assertThat(sc.calls()).isZero();
        assertThat(o.record.effects()).hasSize(1);
        assertThat(o.need().durationNanos()).isEqualTo(Duration.ofMillis(10).toNanos());
    }

    @Test
    void allSequentialStartsEachEffectAfterThePreviousOneFinished() {
        Outcome o = run(Mode.SEQUENTIAL, Join.ALL, ok("1"), true, Script.failing(DOWN), false, ok("3"), true);
        assertThat(o.response.bodyText()).isEqualTo("a=1 b=- c=3");
        assertThat(o.need().durationNanos()).isEqualTo(Duration.ofMillis(60).toNanos());
        var jobs = o.record.jobs().stream().filter(j -> j.queue().equals("effects")).toList();
        assertThat(jobs).hasSize(3);
        assertThat(jobs.get(1).enqueueNanos()).isEqualTo(jobs.get(0).endNanos());
        assertThat(jobs.get(2).enqueueNanos()).isEqualTo(jobs.get(1).endNanos());
    }

    // ---- ALL_REQUIRED ----

    @Test
    void allRequiredParallelResumesWhenTheRequiredOnesAreDone() {
        Outcome o = run(Mode.PARALLEL, Join.ALL_REQUIRED, ok("1"), true, ok("2"), true, ok("3"), false);
        assertThat(o.response.bodyText()).isEqualTo("a=1 b=2 c=-");
        assertThat(o.need().durationNanos()).isEqualTo(Duration.ofMillis(20).toNanos());
        assertThat(o.effects()).isEqualTo("a=ok b=ok c=ok(late)");
    }

    @Test
    void allRequiredFailsOnARequiredFailureAndToleratesOptionalOnes() {
        Outcome failing = run(Mode.PARALLEL, Join.ALL_REQUIRED, Script.failing(DOWN), false, Script.failing(GONE),
                true, ok("3"), false);
        assertThat(failing.response.status()).isEqualTo(404);
        assertThat(failing.need().failed()).isEqualTo(2);

        Outcome sequential = run(Mode.SEQUENTIAL, Join.ALL_REQUIRED, ok("1"), false, ok("2"), true, ok("3"), false);
        assertThat(sequential.response.bodyText()).isEqualTo("a=1 b=2 c=-");
        assertThat(sequential.scripts.get(2).calls()).isZero();
    }

    // ---- ANY ----

    @Test
    void anyParallelResumesOnTheFirstCompletion() {
        Outcome o = run(Mode.PARALLEL, Join.ANY, ok("1"), true, ok("2"), true, ok("3"), true);
        assertThat(o.response.bodyText()).isEqualTo("a=1 b=- c=-");
        assertThat(o.need().durationNanos()).isEqualTo(Duration.ofMillis(10).toNanos());
        assertThat(o.effects()).isEqualTo("a=ok b=ok(late) c=ok(late)");
    }

    @Test
    void anyCountsAnOptionalFailureAsTheFirstCompletionButNotARequiredOne() {
        Outcome optional = run(Mode.PARALLEL, Join.ANY, Script.failing(DOWN), false, ok("2"), true, ok("3"), true);
        assertThat(optional.response.status()).isEqualTo(200);
        assertThat(optional.response.bodyText()).isEqualTo("a=- b=- c=-");

        Outcome required = run(Mode.PARALLEL, Join.ANY, Script.failing(DOWN), true, ok("2"), true, ok("3"), true);
        assertThat(required.response.status()).isEqualTo(500);
    }

    @Test
    void anySequentialRunsOnlyTheFirstEffect() {
        Outcome o = run(Mode.SEQUENTIAL, Join.ANY, ok("1"), true, ok("2"), true, ok("3"), true);
        assertThat(o.response.bodyText()).isEqualTo("a=1 b=- c=-");
        assertThat(o.scripts.get(1).calls()).isZero();
        assertThat(o.record.effects()).hasSize(1);
    }

    // ---- FIRST_SUCCESS ----

    @Test
    void firstSuccessParallelSkipsOptionalFailures() {
        Outcome o = run(Mode.PARALLEL, Join.FIRST_SUCCESS, Script.failing(DOWN), false, ok("2"), false, ok("3"),
                false);
        assertThat(o.response.bodyText()).isEqualTo("a=- b=2 c=-");
        assertThat(o.need().durationNanos()).isEqualTo(Duration.ofMillis(20).toNanos());
        assertThat(o.effects()).isEqualTo("a=failed:io_error b=ok c=ok(late)");
    }

    @Test
    void firstSuccessFailsWhenNothingSucceedsOrARequiredEffectFails() {
        Outcome none = run(Mode.PARALLEL, Join.FIRST_SUCCESS, Script.failing(DOWN), false, Script.failing(DOWN),
                false, Script.failing(GONE), false);
        assertThat(none.response.status()).isEqualTo(404);
        assertThat(none.need().success()).isFalse();
        assertThat(none.need().failed()).isEqualTo(3);

        Outcome required = run(Mode.PARALLEL, Join.FIRST_SUCCESS, Script.failing(DOWN), true, ok("2"), false,
                ok("3"), false);
        assertThat(required.response.status()).isEqualTo(500);
        assertThat(required.need().durationNanos()).isEqualTo(Duration.ofMillis(10).toNanos());
    }

    @Test
    void firstSuccessSequentialTriesTheNextEffectOnlyAfterAFailure() {
        Outcome o = run(Mode.SEQUENTIAL, Join.FIRST_SUCCESS, Script.failing(DOWN), false, ok("2"), false, ok("3"),
                false);
        assertThat(o.response.bodyText()).isEqualTo("a=- b=2 c=-");
        assertThat(o.scripts.get(2).calls()).isZero();
        assertThat(o.need().durationNanos()).isEqualTo(Duration.ofMillis(30).toNanos());
    }

    @Test
    void lateEffectsStillEndTheirJobsExactlyOnce() {
        Outcome o = run(Mode.PARALLEL, Join.ANY, ok("1"), true, ok("2"), true, ok("3"), true);
        assertThat(o.record.jobs()).allSatisfy(j -> assertThat(j.outcome()).isEqualTo(JobOutcome.COMPLETE));
        assertThat(o.record.jobs()).hasSize(5);
    }
}
