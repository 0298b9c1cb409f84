package dev.zerver.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerver.Decision;
import dev.zerver.EffectKind;
import dev.zerver.Need;
import dev.zerver.Response;
import dev.zerver.Slot;
import dev.zerver.Step;
import dev.zerver.telemetry.EffectRecord;
import dev.zerver.telemetry.JobRecord;
import dev.zerver.telemetry.NeedRecord;
import dev.zerver.telemetry.ParkEpisode;
import dev.zerver.telemetry.RequestRecord;
import dev.zerver.telemetry.SlotWrite;
import dev.zerver.telemetry.StepRecord;
import dev.zerver.testing.ScriptedEffects;
import dev.zerver.testing.ScriptedEffects.Script;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What a record listener receives cannot be changed through it. */
class ReadOnlyRecordTest {
    static final Slot<String> POST = Slot.of("post", String.class);

    /** The only public methods with parameters: reads (a time conversion, a lookup, a visitor) and a copy. */
    private static final Set<String> READS_WITH_PARAMETERS = Set.of("toEpochNanos", "attribute", "forEachAttribute",
            "resumedAt", "equals");

    @Test
    void theListenerTypesHaveNoMutators() {
        List<String> writers = new ArrayList<>();
        for (Class<?> type : List.of(RequestRecord.class, StepRecord.class, NeedRecord.class, EffectRecord.class,
                JobRecord.class, ParkEpisode.class, SlotWrite.class)) {
            for (Method m : type.getMethods()) {
                boolean instance = !Modifier.isStatic(m.getModifiers());
                boolean isVoid = m.getReturnType() == void.class;
                if (instance && m.getDeclaringClass() != Object.class
                        && (isVoid || (m.getParameterCount() > 0 && !READS_WITH_PARAMETERS.contains(m.getName())))) {
                    writers.add(type.getSimpleName() + "." + m.getName());
                }
            }
        }
        assertThat(writers).as("public methods that could change a record").containsExactly(
                "EffectRecord.forEachAttribute"); // void, but a visitor: it reads
    }

    @Test
    void theListsARecordHandsOutCannotBeChanged() {
        Deterministic d = new Deterministic(b -> b.get("/posts/{id}", Step.named("load").writes(POST).run(ctx -> Need.of(
                ScriptedEffects.effect(EffectKind.DB, "get", "posts", Script.returning("post")).into(POST))
                .continueWith("render", k -> Decision.done(Response.text(k.require(POST)))))));
        assertThat(d.call("GET", "/posts/1").status()).isEqualTo(200);
        RequestRecord r = d.record();
        assertThat(r.steps()).isNotEmpty();
        assertThat(r.jobs()).isNotEmpty();
        assertThat(r.effects()).hasSize(1);
        assertThatThrownBy(() -> r.steps().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> r.jobs().remove(0)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> r.effects().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> r.needs().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> r.pathParams().put("id", "2")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> r.jobs().get(0).parks().add(null)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> r.effects().get(0).attributes().put("x", 1))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    /** Encoders cache a step's encoded slot names by list identity: every run must hand out the same lists. */
    @Test
    void everyRunOfAStepRecordsTheSameSlotNameLists() {
        Deterministic d = new Deterministic(b -> b.get("/posts/{id}", Step.named("load").reads(POST).writes(POST)
                .run(ctx -> Decision.done(Response.text("ok")))));
        d.call("GET", "/posts/1");
        List<StepRecord> firstSteps = d.record().steps();
        d.call("GET", "/posts/2");
        List<StepRecord> secondSteps = d.record().steps();
        StepRecord first = firstSteps.get(firstSteps.size() - 1);
        StepRecord second = secondSteps.get(secondSteps.size() - 1);
        assertThat(first.name()).isEqualTo("load");
        assertThat(second.reads()).containsExactly("post").isSameAs(first.reads());
        assertThat(second.writes()).containsExactly("post").isSameAs(first.writes());
    }
}
