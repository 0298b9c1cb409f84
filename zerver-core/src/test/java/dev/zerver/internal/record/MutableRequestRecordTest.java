package dev.zerver.internal.record;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerver.telemetry.StepLayer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** While a request runs its record hands out copies; once it finished, one list that every read shares. */
class MutableRequestRecordTest {
    private static MutableRequestRecord record() {
        return MutableRequestRecord.builder().ids("r1", "0af7651916cd43dd8448eb211c80319c", null, false)
                .rootSpanId("b7ad6b7169203331").clock(0, 0).request("GET", "http", "/x", null, "1.1")
                .build();
    }

    private static MutableStepRecord step(int sequence, String name) {
        return new MutableStepRecord(sequence, name, StepLayer.MAIN, List.of(), List.of(), sequence, 0);
    }

    @Test
    void whileRunningEachReadIsACopyThatLaterAdditionsDoNotChange() {
        MutableRequestRecord r = record();
        r.add(step(1, "a"));
        var first = r.steps();
        r.add(step(2, "b"));
        assertThat(first).extracting(s -> s.name()).containsExactly("a");
        assertThat(r.steps()).extracting(s -> s.name()).containsExactly("a", "b");
        assertThat(r.steps()).isNotSameAs(r.steps());
        assertThat(r.isFinished()).isFalse();
    }

    @Test
    void afterFinishEveryReadReturnsTheSameListInRecordedOrder() {
        MutableRequestRecord r = record();
        r.add(step(1, "a"));
        r.add(step(2, "b"));
        r.finish();
        assertThat(r.isFinished()).isTrue();
        var steps = r.steps();
        assertThat(steps).extracting(s -> s.name()).containsExactly("a", "b");
        assertThat(r.steps()).isSameAs(steps);
        assertThat(r.jobs()).isSameAs(r.jobs()).isEmpty();
        r.finish(); // idempotent: the lists already read stay the ones handed out
        assertThat(r.steps()).isSameAs(steps);
    }
}
