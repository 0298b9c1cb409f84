package dev.zerver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerver.testing.ManualScheduler;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ValidationTest {
    static final Slot<String> USER = Slot.of("user", String.class);
    static final Slot<String> POST = Slot.of("post", String.class);

    static final Step AUTH = Step.named("auth").writes(USER).run(ctx -> Decision.next());
    static final Step RENDER = Step.named("render").reads(USER, POST).run(ctx -> Decision.done(Response.text("x")));

    private static Zerver.Builder builder() {
        return Zerver.builder().environment(Map.of()).scheduling(new ManualScheduler());
    }

    @Test
    void aStepReadingAnUnwrittenSlotIsRejectedNamingRouteStepAndSlot() {
        assertThatThrownBy(() -> builder().route("GET", "/posts/{id}", r -> r.before(AUTH).step(RENDER)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("route GET /posts/{id}: step 'render' reads slot 'post' but no earlier step writes it");
    }

    @Test
    void laterWritesDoNotCount() {
        Step load = Step.named("load").writes(POST).run(ctx -> Decision.next());
        assertThatThrownBy(() -> builder().route("GET", "/p", r -> r.before(AUTH).step(RENDER, load)).build())
                .hasMessageContaining("step 'render' reads slot 'post'");
    }

    @Test
    void globalBeforeRouteBeforeAndMainStepsTogetherSatisfyReads() {
        Step load = Step.named("load").writes(POST).run(ctx -> Decision.next());
        Zerver z = builder().before(AUTH).route("GET", "/p", r -> r.before(load).step(RENDER)).build();
        assertThat(z.settings().port()).isEqualTo(8080);
    }

    @Test
    void aStepMayReadWhatItsOwnNeedWrites() {
        Step loadAndParse = Step.named("load").reads(POST).writes(POST).run(ctx -> Decision.next());
        assertThat(builder().get("/p", loadAndParse).build()).isNotNull();
    }

    @Test
    void malformedTemplateIsRejected() {
        assertThatThrownBy(() -> builder().get("/p/{", RENDER).build())
                .hasMessageContaining("malformed route template '/p/{'");
    }

    @Test
    void duplicateRouteIsRejected() {
        Step s = Step.named("s").run(ctx -> Decision.next());
        assertThatThrownBy(() -> builder().get("/p/{a}", s).get("/p/{b}", s).build())
                .hasMessage("duplicate route: GET /p/{b} matches the same paths as GET /p/{a}");
    }

    @Test
    void routeWithoutStepsAndBadMethodAreRejected() {
        assertThatThrownBy(() -> builder().route("GET", "/p", r -> {}).build())
                .hasMessage("route GET /p has no steps");
        Step s = Step.named("s").run(ctx -> Decision.next());
        assertThatThrownBy(() -> builder().route("get", "/p", r -> r.step(s)).build())
                .hasMessageContaining("method must be an uppercase token");
    }

    @Test
    void badNamesAndEffectsFailWhenBuilt() {
        assertThatThrownBy(() -> Slot.of("has space", String.class)).hasMessageContaining("slot name");
        assertThatThrownBy(() -> Step.named("")).hasMessageContaining("step name");
        for (String bad : new String[] {"Get", "", "1st", "_get", "get-all", "get all", "gét"}) {
            assertThatThrownBy(() -> Effect.of(EffectKind.DB, bad, "t", "x")).as(bad).hasMessageContaining("operation");
        }
        assertThatThrownBy(() -> Effect.of(EffectKind.DB, null, "t", "x")).hasMessageContaining("operation");
        for (String good : new String[] {"get", "query_all", "v2", "x"}) {
            assertThat(Effect.of(EffectKind.DB, good, "t", "x").operation()).isEqualTo(good);
        }
        assertThatThrownBy(() -> Effect.of(EffectKind.DB, "get", "a table", "x")).hasMessageContaining("target");
        assertThatThrownBy(() -> Need.parallel()).hasMessageContaining("at least one effect");
        assertThatThrownBy(() -> Decision.fail(200, "x", "y")).hasMessageContaining("4xx or 5xx");
        assertThatThrownBy(() -> RetryPolicy.attempts(0)).hasMessageContaining("at least 1 attempt");
    }

    @Test
    void retryBackoffGrowsAndIsCapped() {
        RetryPolicy p = RetryPolicy.attempts(5).backoff(java.time.Duration.ofMillis(10)).multiplier(3)
                .cap(java.time.Duration.ofMillis(50));
        assertThat(p.backoffNanos(1, 0.5)).isEqualTo(10_000_000L);
        assertThat(p.backoffNanos(2, 0.5)).isEqualTo(30_000_000L);
        assertThat(p.backoffNanos(3, 0.5)).isEqualTo(50_000_000L);
        RetryPolicy jittered = p.jitter(0.5);
        assertThat(jittered.backoffNanos(1, 0.0)).isEqualTo(5_000_000L);
        assertThat(jittered.backoffNanos(1, 1.0)).isEqualTo(15_000_000L);
    }
}
