package dev.zerver.otel.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerver.otel.Scenario;
import dev.zerver.spi.InboundRequest;
import dev.zerver.telemetry.EffectRecord;
import dev.zerver.telemetry.RequestRecord;
import dev.zerver.testing.InProcess;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConsoleTimelineTest {

    private static final TraceSink.Outcome IGNORE = new TraceSink.Outcome() {
        @Override
        public void delivered(int traces, int spans) {}

        @Override
        public void failed(int traces, int spans, String why) {}
    };

    @Test
    void aDownstreamRequestOfTheSameTracePrintsInsideItsCallerEvenFromAnEarlierBatch() throws Exception {
        Scenario s = new Scenario(Map.of());
        s.send("/pages/7");
        s.scheduler.runToCompletion();
        RequestRecord upstream = s.record();
        EffectRecord call = upstream.effects().stream().filter(e -> e.kind().equals("http")).findFirst().orElseThrow();
        InProcess.send(s.app, InboundRequest.builder().uri("/posts/7")
                .header("traceparent", "00-" + upstream.traceId() + "-" + call.spanId() + "-01").build());
        s.scheduler.runToCompletion();
        RequestRecord downstream = s.record();

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ConsoleTimeline console = new ConsoleTimeline(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        TraceAssembler assembler = new TraceAssembler(s.otel.settings());
        Trace d = new Trace();
        assembler.assemble(downstream, "parent", d);
        console.add(d);
        console.send(1, d.spanCount, IGNORE); // the downstream request finishes first
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEmpty(); // held for its caller
        Trace u = new Trace();
        assembler.assemble(upstream, "head", u);
        console.add(u);
        console.send(1, u.spanCount, IGNORE);

        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text.lines().filter(l -> l.contains(" trace ")).count()).isEqualTo(1); // one block
        assertThat(text).startsWith("GET /pages/{id} 200");
        String effectLine = text.lines().filter(l -> l.contains("http.get comments")).findFirst().orElseThrow();
        String downstreamRoot = text.lines().filter(l -> l.contains("http.server: GET /posts/{id}")).findFirst().orElseThrow();
        assertThat(indent(downstreamRoot)).isEqualTo(indent(effectLine) + 2); // a child of the call that caused it
    }

    @Test
    void aFragmentWhoseCallerNeverComesPrintsOnItsOwnAtShutdown() throws Exception {
        Scenario s = new Scenario(Map.of());
        InProcess.send(s.app, InboundRequest.builder().uri("/posts/7")
                .header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").build());
        s.scheduler.runToCompletion();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ConsoleTimeline console = new ConsoleTimeline(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        Trace t = new Trace();
        new TraceAssembler(s.otel.settings()).assemble(s.record(), "parent", t);
        console.add(t);
        console.send(1, t.spanCount, IGNORE);
        console.shutdown();
        assertThat(bytes.toString(StandardCharsets.UTF_8)).startsWith("GET /posts/{id} 200")
                .contains("trace 4bf92f3577b34da6a3ce929d0e0e4736");
    }

    private static int indent(String line) {
        String name = line.substring(24); // after the offset and duration columns
        return name.length() - name.stripLeading().length();
    }

    @Test
    void numbersPrintAsTheFormatterWouldPrintThem() {
        java.util.Random random = new java.util.Random(7);
        List<Long> nanos = new java.util.ArrayList<>(List.of(0L, 1L, 499L, 500L, 1_499L, 1_500L, 999_499L, 999_500L,
                1_000_000L, 12_345_678L, 86_400_000_000_000L, -1_500L, -2_000_000L));
        for (int i = 0; i < 10_000; i++) {
            nanos.add((long) random.nextInt(1_000_000_000));
        }
        for (long n : nanos) {
            assertThat(ConsoleTimeline.ms(n)).as("%d ns", n).isEqualTo(String.format(java.util.Locale.ROOT, "%.3f", n / 1_000_000.0));
        }
        for (double ms : List.of(0.0, 0.005, 0.125, 0.145, 1.0, 2.675, 12.3456, 1234.5)) {
            assertThat(ConsoleTimeline.twoDecimals(ms)).as("%s ms", ms).isEqualTo(String.format(java.util.Locale.ROOT, "%.2f", ms));
        }
        for (int i = 0; i < 10_000; i++) {
            double ms = random.nextInt(100_000_000) / 1_000_000.0; // a duration attribute: whole nanoseconds in ms
            assertThat(ConsoleTimeline.twoDecimals(ms)).as("%s ms", ms).isEqualTo(String.format(java.util.Locale.ROOT, "%.2f", ms));
        }
    }
}
