package dev.zerver.internal.runtime;

import dev.zerver.spi.InboundRequest;
import static org.assertj.core.api.Assertions.assertThat;

import dev.zerver.Decision;
import dev.zerver.EffectKind;
import dev.zerver.FailException;
import dev.zerver.Need;
import dev.zerver.Response;
import dev.zerver.Slot;
import dev.zerver.Step;
import dev.zerver.telemetry.JobOutcome;
import dev.zerver.telemetry.JobRecord;
import dev.zerver.telemetry.RequestRecord;
import dev.zerver.telemetry.StepLayer;
import dev.zerver.telemetry.StepRecord;
import dev.zerver.testing.ScriptedEffects;
import dev.zerver.testing.ScriptedEffects.Script;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class DecisionsTest {
    static final Slot<String> NAME = Slot.of("name", String.class);
    static final Slot<String> BODY = Slot.of("body", String.class);

    private static String steps(RequestRecord r) {
        return r.steps().stream().map(s -> s.name() + ":" + s.layer().value() + ":" + s.decision())
                .collect(Collectors.joining(" "));
    }

    @Test
    void continueRunsTheNextStepAndDoneAnswers() {
        Step name = Step.named("name").writes(NAME).run(ctx -> {
            ctx.put(NAME, ctx.param("who"));
            return Decision.next();
        });
        Step greet = Step.named("greet").reads(NAME).run(ctx -> Decision.done(Response.text("hi " + ctx.require(NAME))));
        Deterministic d = new Deterministic(b -> b.get("/hi/{who}", name, greet));
        Response r = d.call("GET", "/hi/ana");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.bodyText()).isEqualTo("hi ana");
        RequestRecord rec = d.record();
        assertThat(steps(rec)).isEqualTo("route_match:system:Continue name:main:Continue greet:main:Done");
        assertThat(rec.route()).isEqualTo("/hi/{who}");
        assertThat(rec.pathParams()).containsEntry("who", "ana");
        assertThat(rec.status()).isEqualTo(200);
        assertThat(rec.steps().get(1).slotWrites()).singleElement()
                .satisfies(w -> assertThat(w.slot()).isEqualTo("name"))
                .satisfies(w -> assertThat(w.sizeBytes()).isEqualTo(3));
        assertThat(rec.jobs()).singleElement().satisfies(j -> {
            assertThat(j.owner()).isEqualTo(JobRecord.Owner.REQUEST);
            assertThat(j.outcome()).isEqualTo(JobOutcome.COMPLETE);
        });
    }

    @Test
    void failIsAnApplicationFailureRenderedAsJson() {
        Step s = Step.named("find").run(ctx -> Decision.fail(404, "post", "not_found"));
        Deterministic d = new Deterministic(b -> b.get("/p", s));
        Response r = d.call("GET", "/p");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.bodyText()).isEqualTo("{\"error\":{\"code\":404,\"what\":\"post\",\"key\":\"not_found\"}}");
        RequestRecord rec = d.record();
        assertThat(rec.errorWhat()).isEqualTo("post");
        assertThat(rec.errorKey()).isEqualTo("not_found");
        assertThat(rec.isSystemFailure()).isFalse();
        assertThat(rec.steps().get(1).isSystemFailure()).isFalse();
        assertThat(rec.jobs().get(0).outcome()).isEqualTo(JobOutcome.COMPLETE);
    }

    @Test
    void failExceptionIsTheSameAsAFail() {
        Step s = Step.named("parse").run(ctx -> ctx.bodyJson(java.util.Map.class) == null ? null : Decision.next());
        Deterministic d = new Deterministic(b -> b.post("/p", s));
        var ex = d.send(InboundRequest.builder().method("POST").uri("/p").body("{not json").build());
        d.scheduler.runToCompletion();
        assertThat(ex.response().status()).isEqualTo(400);
        assertThat(ex.response().bodyText()).contains("\"key\":\"invalid_json\"");
        assertThat(d.record().isSystemFailure()).isFalse();
        Step thrower = Step.named("t").run(ctx -> {
            throw new FailException(409, "post", "conflict");
        });
        Deterministic d2 = new Deterministic(b -> b.get("/t", thrower));
        assertThat(d2.call("GET", "/t").status()).isEqualTo(409);
    }

    @Test
    void aThrowingStepIsASystemFailure() {
        Step s = Step.named("boom").run(ctx -> {
            throw new IllegalArgumentException("bad");
        });
        Deterministic d = new Deterministic(b -> b.get("/p", s));
        Response r = d.call("GET", "/p");
        assertThat(r.status()).isEqualTo(500);
        assertThat(r.bodyText()).contains("\"what\":\"step\"").contains("\"key\":\"IllegalArgumentException\"");
        RequestRecord rec = d.record();
        StepRecord boom = rec.steps().get(1);
        assertThat(boom.isSystemFailure()).isTrue();
        assertThat(boom.errorType()).isEqualTo("IllegalArgumentException");
        assertThat(boom.decision()).isEqualTo("Fail");
        assertThat(rec.isSystemFailure()).isTrue();
        assertThat(rec.jobs().get(0).outcome()).isEqualTo(JobOutcome.FAIL);
        assertThat(rec.jobs().get(0).errorType()).isEqualTo("IllegalArgumentException");
    }

    @Test
    void needRunsEffectsThenTheContinuationThenTheNextStep() {
        Step load = Step.named("load").writes(BODY).run(ctx -> Need.of(
                ScriptedEffects.effect(EffectKind.DB, "get", "post", Script.returning("text")).into(BODY))
                .continueWith("upper", c -> {
                    c.put(BODY, c.require(BODY).toUpperCase());
                    return Decision.next();
                }));
        Step render = Step.named("render").reads(BODY).run(ctx -> Decision.done(Response.text(ctx.require(BODY))));
        Deterministic d = new Deterministic(b -> b.get("/p", load, render));
        assertThat(d.call("GET", "/p").bodyText()).isEqualTo("TEXT");
        RequestRecord rec = d.record();
        assertThat(steps(rec)).isEqualTo(
                "route_match:system:Continue load:main:Need load:continuation:Continue render:main:Done");
        StepRecord need = rec.steps().get(1);
        assertThat(need.nextContinuation()).isEqualTo("upper");
        StepRecord resume = rec.steps().get(2);
        assertThat(resume.layer()).isEqualTo(StepLayer.CONTINUATION);
        assertThat(resume.resumeFn()).isEqualTo("upper");
        assertThat(resume.needSequence()).isEqualTo(need.needSequence());
        assertThat(rec.effects()).singleElement().satisfies(e -> {
            assertThat(e.success()).isTrue();
            assertThat(e.slotWrite().slot()).isEqualTo("body");
            assertThat(e.slotWrite().sizeBytes()).isEqualTo(4);
            assertThat(e.spanId()).hasSize(16);
        });
        List<JobRecord> jobs = rec.jobs();
        assertThat(jobs).extracting(JobRecord::owner).containsExactly(JobRecord.Owner.REQUEST,
                JobRecord.Owner.EFFECT, JobRecord.Owner.CONTINUATION);
        assertThat(jobs).extracting(JobRecord::queue).containsExactly("continuations", "effects", "continuations");
        assertThat(jobs.get(2).ownerSequence()).isEqualTo(resume.sequence());
        assertThat(resume.jobId()).isEqualTo(jobs.get(2).id());
    }

    @Test
    void pipelineThatNeverAnswersIsASystemFailure() {
        Step s = Step.named("only").run(ctx -> Decision.next());
        Deterministic d = new Deterministic(b -> b.get("/p", s));
        Response r = d.call("GET", "/p");
        assertThat(r.status()).isEqualTo(500);
        assertThat(r.bodyText()).contains("no_response");
        assertThat(d.record().errorType()).isEqualTo("no_response");
    }

    @Test
    void undeclaredSlotAccessFailsLoudly() {
        Step sneaky = Step.named("sneaky").run(ctx -> {
            ctx.put(NAME, "x");
            return Decision.next();
        });
        Deterministic d = new Deterministic(b -> b.get("/p", sneaky));
        assertThat(d.call("GET", "/p").status()).isEqualTo(500);
        assertThat(d.record().steps().get(1).errorType()).isEqualTo("IllegalStateException");

        Step needUndeclared = Step.named("n").run(ctx -> Need.of(
                ScriptedEffects.effect(EffectKind.DB, "get", "post", Script.returning("x")).into(BODY)));
        Deterministic d2 = new Deterministic(b -> b.get("/p", needUndeclared));
        assertThat(d2.call("GET", "/p").status()).isEqualTo(500);
        assertThat(d2.record().effects()).isEmpty();
    }

    @Test
    void notFoundMethodNotAllowedOptionsAndHead() {
        Step s = Step.named("s").run(ctx -> Decision.done(Response.text("body")));
        Deterministic d = new Deterministic(b -> b.get("/p", s));
        assertThat(d.call("GET", "/nope").status()).isEqualTo(404);
        Response notAllowed = d.call("POST", "/p");
        assertThat(notAllowed.status()).isEqualTo(405);
        assertThat(notAllowed.header("allow")).isEqualTo("GET, HEAD, OPTIONS");
        Response options = d.call("OPTIONS", "/p");
        assertThat(options.status()).isEqualTo(204);
        assertThat(options.header("allow")).isEqualTo("GET, HEAD, OPTIONS");
        var head = d.send("HEAD", "/p");
        d.scheduler.runToCompletion();
        assertThat(head.head()).isTrue();
        assertThat(head.response().bodyText()).isEqualTo("body");
    }

    @Test
    void customErrorRendererReplacesTheBody() {
        Step s = Step.named("s").run(ctx -> Decision.fail(418, "tea", "pot"));
        Deterministic d = new Deterministic(b -> b.get("/p", s)
                .onError((ctx, fail) -> Response.text(fail.key() + " at " + ctx.path()).status(fail.status())));
        Response r = d.call("GET", "/p");
        assertThat(r.status()).isEqualTo(418);
        assertThat(r.bodyText()).isEqualTo("pot at /p");
    }

    @Test
    void requestIdComesFromTraceparentThenXRequestIdThenIsGenerated() {
        Step s = Step.named("s").run(ctx -> Decision.done(Response.text(ctx.requestId())));
        Deterministic d = new Deterministic(b -> b.get("/p", s));
        var withParent = d.send(InboundRequest.builder().uri("/p")
                .header("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
                .header("x-request-id", "abc").build());
        d.scheduler.runToCompletion();
        assertThat(withParent.response().bodyText()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
        assertThat(withParent.response().header("x-request-id")).isEqualTo("0af7651916cd43dd8448eb211c80319c");
        RequestRecord rec = d.record();
        assertThat(rec.traceId()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
        assertThat(rec.parentSpanId()).isEqualTo("b7ad6b7169203331");
        assertThat(rec.parentSampled()).isTrue();

        var withId = d.send(InboundRequest.builder().uri("/p").header("x-request-id", "req-42").build());
        d.scheduler.runToCompletion();
        assertThat(withId.response().bodyText()).isEqualTo("req-42");
        assertThat(d.record().traceId()).hasSize(32).isNotEqualTo("req-42");

        var generated = d.send(InboundRequest.builder().uri("/p").header("traceparent", "garbage").build());
        d.scheduler.runToCompletion();
        RequestRecord g = d.record();
        assertThat(generated.response().bodyText()).isEqualTo(g.traceId()).hasSize(32);
        assertThat(g.parentSpanId()).isNull();
    }

    @Test
    void sensitiveQueryValuesAreRedactedInTheRecord() {
        Step s = Step.named("s").run(ctx -> Decision.done(Response.text(ctx.query("token"))));
        Deterministic d = new Deterministic(b -> b.get("/p", s));
        var ex = d.send(InboundRequest.builder().uri("/p?q=1&token=s3cret&password=hunter2")
                .header("authorization", "Bearer xyz").build());
        d.scheduler.runToCompletion();
        assertThat(ex.response().bodyText()).isEqualTo("s3cret");
        RequestRecord rec = d.record();
        assertThat(rec.query()).isEqualTo("q=1&token=REDACTED&password=REDACTED");
        assertThat(rec.toString() + rec.query() + rec.userAgent()).doesNotContain("s3cret", "hunter2", "xyz");
    }

    record Profile(String name, int posts) {}

    static final Slot<Profile> PROFILE = Slot.of("profile", Profile.class);

    @Test
    void aJsonResponseIsRecordedAsJsonEncodeAndAnObjectSlotWriteGetsItsSizeLater() {
        Step load = Step.named("load").writes(PROFILE).run(ctx -> {
            ctx.put(PROFILE, new Profile("ana", 3));
            return Decision.next();
        });
        Step render = Step.named("render").reads(PROFILE).run(ctx -> Decision.done(Response.json(ctx.require(PROFILE))));
        Deterministic d = new Deterministic(b -> b.get("/p", load, render));
        Response r = d.call("GET", "/p");
        assertThat(r.bodyText()).isEqualTo("{\"name\":\"ana\",\"posts\":3}");
        RequestRecord rec = d.record();
        StepRecord rendered = rec.steps().get(2);
        assertThat(rendered.renderPhase()).isEqualTo("json_encode");
        assertThat(rendered.renderSizeBytes()).isEqualTo(r.body().length);
        // the object's size is not measured on the request path, but can be from the record
        dev.zerver.telemetry.SlotWrite write = rec.steps().get(1).slotWrites().get(0);
        assertThat(write.sizeBytes()).isEqualTo(-1);
        assertThat(write.estimatedSizeBytes()).isEqualTo(r.body().length);
    }
}
