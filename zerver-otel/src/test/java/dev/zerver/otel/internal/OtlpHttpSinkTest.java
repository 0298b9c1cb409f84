package dev.zerver.otel.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerver.otel.OtlpReceiver;
import dev.zerver.otel.Scenario;
import dev.zerver.otel.ZerverOtel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The OTLP/HTTP sender's retry rules against a real receiver on loopback; waits are recorded, not slept. */
class OtlpHttpSinkTest {

    /** How one send ended. */
    private static final class Result implements TraceSink.Outcome {
        final CompletableFuture<String> done = new CompletableFuture<>();

        @Override
        public void delivered(int traces, int spans) {
            done.complete("delivered " + traces + "/" + spans);
        }

        @Override
        public void failed(int traces, int spans, String why) {
            done.complete("failed " + traces + "/" + spans + ": " + why);
        }
    }

    @Test
    void honoursRetryAfterBacksOffAndGivesUpOnNonRetryableStatus() throws Exception {
        Scenario s = new Scenario(Map.of());
        s.send("/posts/7");
        s.scheduler.runToCompletion();
        Trace trace = new Trace();
        new TraceAssembler(s.otel.settings()).assemble(s.record(), "head", trace);

        try (OtlpReceiver receiver = new OtlpReceiver(0)) {
            List<Duration> waits = new CopyOnWriteArrayList<>();
            OtlpHttpSink sink = new OtlpHttpSink(receiver.endpoint() + "/v1/traces", "application/json",
                    () -> new OtlpJsonEncoder(s.otel.resource(), ZerverOtel.SCOPE), 2, Map.of(), false,
                    Duration.ofSeconds(30), (retry, after) -> {
                        waits.add(after);
                        retry.run();
                    });

            receiver.failNext.set(2);
            receiver.retryAfter = "7";
            Result ok = new Result();
            sink.add(trace);
            sink.send(1, trace.spanCount, ok);
            assertThat(ok.done.get(10, TimeUnit.SECONDS)).isEqualTo("delivered 1/" + trace.spanCount);
            assertThat(waits).containsExactly(Duration.ofSeconds(7), Duration.ofSeconds(7));
            assertThat(receiver.spans()).hasSize(trace.spanCount);

            waits.clear();
            receiver.failNext.set(1);
            receiver.failStatus = 400; // not retryable
            Result refused = new Result();
            sink.add(trace);
            sink.send(1, trace.spanCount, refused);
            assertThat(refused.done.get(10, TimeUnit.SECONDS)).startsWith("failed 1/").contains("status 400 (not retryable)");
            assertThat(waits).isEmpty();

            receiver.failNext.set(10);
            receiver.failStatus = 429;
            receiver.retryAfter = null; // exponential backoff: about 1 s, then x1.5, with jitter
            Result exhausted = new Result();
            sink.add(trace);
            sink.send(1, trace.spanCount, exhausted);
            assertThat(exhausted.done.get(10, TimeUnit.SECONDS)).contains("status 429 after 5 attempts");
            assertThat(waits).hasSize(4);
            assertThat(waits.get(0)).isBetween(Duration.ofMillis(800), Duration.ofMillis(1200));
            assertThat(waits.get(1)).isBetween(Duration.ofMillis(1200), Duration.ofMillis(1800));
            assertThat(sink.awaitIdle(TimeUnit.SECONDS.toNanos(5))).isTrue();
            sink.shutdown();
        }
    }
}
