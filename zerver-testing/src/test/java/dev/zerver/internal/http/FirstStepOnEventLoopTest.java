package dev.zerver.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerver.Decision;
import dev.zerver.Effect;
import dev.zerver.EffectKind;
import dev.zerver.Need;
import dev.zerver.Response;
import dev.zerver.Slot;
import dev.zerver.Step;
import dev.zerver.Zerver;
import dev.zerver.internal.http.HttpServerTest.Conn;
import dev.zerver.internal.http.HttpServerTest.Reply;
import dev.zerver.spi.EffectContext;
import dev.zerver.spi.EffectHandler;
import dev.zerver.spi.EffectResult;
import dev.zerver.telemetry.JobOutcome;
import dev.zerver.telemetry.JobRecord;
import dev.zerver.telemetry.RequestRecord;
import dev.zerver.testing.InProcess;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code ZER_VER_FIRST_STEP_ON_EVENT_LOOP}: over a real connection, the event loop that read a
 * request runs its first step job, recorded as a job of the continuation queue like any other;
 * effects and continuations still run on the workers. Off (the default), no step runs on an
 * event loop.
 */
class FirstStepOnEventLoopTest {
    static final Slot<String> ECHO = Slot.of("echo", String.class);
    static final int STEP_WORKERS = 2;
    static final int EFFECT_WORKERS = 2;

    private final Queue<String> stepThreads = new ConcurrentLinkedQueue<>();
    private final Queue<String> effectThreads = new ConcurrentLinkedQueue<>();
    private final InProcess.Records records = new InProcess.Records();
    private Zerver app;

    /** Echoes its request on the calling thread and notes which thread that was. */
    final class Echo implements EffectHandler<String> {
        @Override
        public Class<String> requestType() {
            return String.class;
        }

        @Override
        public CompletionStage<EffectResult> execute(String request, Effect effect, EffectContext context) {
            effectThreads.add(Thread.currentThread().getName());
            return CompletableFuture.completedFuture(EffectResult.of(request));
        }
    }

    private Zerver start(boolean onEventLoop) {
        Map<String, String> env = new HashMap<>(Map.of("ZER_VER_STEP_WORKERS", String.valueOf(STEP_WORKERS),
                "ZER_VER_EFFECT_WORKERS", String.valueOf(EFFECT_WORKERS)));
        if (onEventLoop) {
            env.put("ZER_VER_FIRST_STEP_ON_EVENT_LOOP", "1");
        }
        Step hello = Step.named("hello").run(ctx -> {
            stepThreads.add(Thread.currentThread().getName());
            return Decision.done(Response.text("hello " + ctx.header("x-n")));
        });
        Step fetch = Step.named("fetch").writes(ECHO).run(ctx -> {
            stepThreads.add(Thread.currentThread().getName());
            return Need.of(Effect.of(EffectKind.OTHER, "run", "echo", "x").into(ECHO)).continueWith("show", k -> {
                stepThreads.add(Thread.currentThread().getName());
                return Decision.done(Response.text(k.require(ECHO)));
            });
        });
        app = Zerver.builder().environment(env).port(0).effectHandler(new Echo()).listener(records)
                .get("/hello", hello).get("/fetch", fetch).build().start();
        return app;
    }

    @AfterEach
    void stop() {
        if (app != null) {
            assertThat(app.stop(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void theEventLoopRunsTheFirstStepAndTheRecordKeepsItsHandOff() throws Exception {
        start(true);
        try (Conn c = new Conn(app.port())) {
            for (int i = 0; i < 5; i++) {
                Reply r = c.send("GET /hello HTTP/1.1\r\nHost: t\r\nX-N: " + i + "\r\n\r\n").read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.body()).isEqualTo("hello " + i);
                JobRecord job = onlyJob(records.take(10, TimeUnit.SECONDS));
                assertThat(job.queue()).isEqualTo("continuations");
                assertThat(job.workerId()).as("event loops are numbered after both pools")
                        .isGreaterThanOrEqualTo(STEP_WORKERS + EFFECT_WORKERS);
                assertLifecycleAddsUp(job);
            }
        }
        assertThat(stepThreads).hasSize(5).allSatisfy(t -> assertThat(t).startsWith("zerver-io-"));
    }

    @Test
    void effectsAndContinuationsStillRunOnTheWorkers() throws Exception {
        start(true);
        try (Conn c = new Conn(app.port())) {
            Reply r = c.send("GET /fetch HTTP/1.1\r\nHost: t\r\n\r\n").read();
            assertThat(r.body()).isEqualTo("x");
        }
        List<? extends JobRecord> jobs = records.take(10, TimeUnit.SECONDS).jobs();
        assertThat(jobs).hasSize(3);
        assertThat(jobs.get(0).workerId()).isGreaterThanOrEqualTo(STEP_WORKERS + EFFECT_WORKERS);
        assertThat(jobs.get(1).workerId()).as("an effect worker took the effect")
                .isBetween(STEP_WORKERS, STEP_WORKERS + EFFECT_WORKERS - 1);
        assertThat(effectThreads).containsExactly("zerver-effects-" + jobs.get(1).workerId());
        assertThat(List.copyOf(stepThreads)).hasSize(2);
        assertThat(List.copyOf(stepThreads).get(0)).startsWith("zerver-io-");
        assertThat(List.copyOf(stepThreads).get(1)).as("the continuation is not on the event loop")
                .startsWith("zerver-");
        assertThat(List.copyOf(stepThreads).get(1)).doesNotStartWith("zerver-io-");
        jobs.forEach(FirstStepOnEventLoopTest::assertLifecycleAddsUp);
    }

    @Test
    void pipelinedRequestsRunOnTheEventLoopAreAnsweredInOrder() throws Exception {
        start(true);
        try (Conn c = new Conn(app.port())) {
            StringBuilder three = new StringBuilder();
            for (int i = 0; i < 3; i++) {
                three.append("GET /").append(i == 1 ? "fetch" : "hello").append(" HTTP/1.1\r\nHost: t\r\nX-N: ")
                        .append(i).append("\r\n\r\n");
            }
            c.send(three.toString());
            assertThat(c.read().body()).isEqualTo("hello 0");
            assertThat(c.read().body()).isEqualTo("x");
            assertThat(c.read().body()).isEqualTo("hello 2");
        }
    }

    @Test
    void offByDefaultNoStepRunsOnAnEventLoop() throws Exception {
        start(false);
        try (Conn c = new Conn(app.port())) {
            for (int i = 0; i < 5; i++) {
                assertThat(c.send("GET /hello HTTP/1.1\r\nHost: t\r\nX-N: " + i + "\r\n\r\n").read().body())
                        .isEqualTo("hello " + i);
                JobRecord job = onlyJob(records.take(10, TimeUnit.SECONDS));
                assertThat(job.workerId()).isLessThan(STEP_WORKERS);
            }
        }
        assertThat(stepThreads).hasSize(5).allSatisfy(t -> assertThat(t).startsWith("zerver-continuations-"));
    }

    /** The connection's two ends, read once when it opens, are in the record of each of its requests. */
    @Test
    void everyRequestOfAConnectionRecordsItsTwoEnds() throws Exception {
        start(true);
        try (Conn c = new Conn(app.port())) {
            for (int i = 0; i < 3; i++) {
                c.send("GET /hello HTTP/1.1\r\nHost: t\r\nX-N: " + i + "\r\n\r\n").read();
                RequestRecord r = records.take(10, TimeUnit.SECONDS);
                assertThat(r.clientAddress()).isEqualTo("127.0.0.1");
                assertThat(r.clientPort()).isEqualTo(c.socket.getLocalPort());
                assertThat(r.serverPort()).isEqualTo(app.port());
            }
        }
    }

    private static JobRecord onlyJob(RequestRecord r) {
        assertThat(r).isNotNull();
        assertThat(r.jobs()).hasSize(1);
        return r.jobs().get(0);
    }

    private static void assertLifecycleAddsUp(JobRecord j) {
        assertThat(j.outcome()).isEqualTo(JobOutcome.COMPLETE);
        assertThat(j.enqueueNanos()).isLessThanOrEqualTo(j.takeNanos());
        var d = j.durations();
        assertThat(d.queueWait() + d.dispatch() + d.parkWaitTotal() + d.runActive())
                .isEqualTo(j.endNanos() - j.enqueueNanos());
    }
}
