package dev.zerver.otel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerver.RetryPolicy;
import dev.zerver.effects.db.JdbcEffects;
import dev.zerver.spi.EffectFailure;
import dev.zerver.telemetry.ParkCause;
import dev.zerver.testing.InProcess;
import dev.zerver.testing.ScriptedEffects.Script;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The golden scenarios of docs/trace-model.md's contract, each driven through
 * the real runtime under the deterministic scheduler and compared with a committed expected trace
 * in {@code src/test/resources/golden}.
 */
class GoldenTraceTest {
    private static final Duration MS = Duration.ofMillis(1);

    private static SpanData span(List<SpanData> trace, String name) {
        return trace.stream().filter(s -> s.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no span " + name + " in " + TraceText.render(trace)));
    }

    private static long count(List<SpanData> trace, String prefix) {
        return trace.stream().filter(s -> s.getName().startsWith(prefix)).count();
    }

    @Test
    void s01_happyPathHasNoPromotions() throws Exception {
        Scenario s = new Scenario(Map.of());
        s.scripts.put("post", Scenario.db(Script.returning("post-7").park(ParkCause.IO_WAIT, "sqlite", MS)));
        InProcess.Exchange ex = s.send("/posts/7?page=2&token=secret");
        s.scheduler.runUntilIdle();
        s.scheduler.advance(MS);
        s.scheduler.runToCompletion();
        assertThat(ex.response().status()).isEqualTo(200);
        List<SpanData> trace = s.trace();
        assertThat(count(trace, "job.")).isZero();
        assertThat(span(trace, "http.server: GET /posts/{id}").getAttributes()
                .get(AttributeKey.stringKey("url.query"))).isEqualTo("page=2&token=REDACTED");
        Golden.assertMatches("01-happy-path", TraceText.render(trace));
    }

    @Test
    void s02_notFoundIsAnApplicationFailure() throws Exception {
        Scenario s = new Scenario(Map.of());
        s.scripts.put("post", Scenario.db(Script.returning(null)));
        InProcess.Exchange ex = s.send("/posts/404");
        s.scheduler.runToCompletion();
        assertThat(ex.response().status()).isEqualTo(404);
        List<SpanData> trace = s.trace();
        assertThat(span(trace, "http.server: GET /posts/{id}").getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        assertThat(span(trace, "step.load_post.resume").getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        assertThat(trace).noneMatch(sp -> sp.getName().startsWith("db.put"));
        Golden.assertMatches("02-not-found", TraceText.render(trace));
    }

    @Test
    void s03_requiredDbFailureIsAnError(@TempDir Path dir) throws Exception {
        // A real SQLite database through JDBC, without the table the route reads: SQLITE_ERROR, an infrastructure failure.
        try (JdbcEffects db = JdbcEffects.builder().url("jdbc:sqlite:" + dir.resolve("golden.db")).poolSize(1).build()) {
            Scenario s = new Scenario(Map.of(), db);
            InProcess.Exchange ex = s.send("/posts/7");
            s.scheduler.runToCompletion();
            assertThat(ex.response().status()).isEqualTo(500);
            List<SpanData> trace = s.trace();
            SpanData effect = span(trace, "db.get posts");
            assertThat(effect.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
            assertThat(effect.getStatus().getDescription()).contains("no such table: posts");
            assertThat(effect.getAttributes().get(AttributeKey.stringKey("error.type"))).isEqualTo("sql_error");
            assertThat(span(trace, "http.server: GET /posts/{id}").getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
            Golden.assertMatches("03-db-failure", TraceText.render(trace));
        }
    }

    @Test
    void s03b_scriptedDbFailureIsAnErrorToo() throws Exception {
        Scenario s = new Scenario(Map.of());
        s.scripts.put("post", Scenario.db(Script.failing(EffectFailure.infrastructure("io_error", "database is unreachable"))));
        InProcess.Exchange ex = s.send("/posts/7");
        s.scheduler.runToCompletion();
        assertThat(ex.response().status()).isEqualTo(500);
        List<SpanData> trace = s.trace();
        assertThat(span(trace, "db.get posts").getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(span(trace, "http.server: GET /posts/{id}").getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    }

    @Test
    void s04_queueHeavyPromotesQueueWaits() throws Exception {
        Scenario s = new Scenario(Map.of());
        InProcess.Exchange ex = s.send("/posts/7");
        s.scheduler.advance(Duration.ofMillis(7)); // the step job waits 7 ms for a worker
        s.scheduler.runNext(s.scheduler.continuations());
        s.scheduler.advance(Duration.ofMillis(3)); // the effect job only 3 ms: below the threshold
        s.scheduler.runNext(s.scheduler.effects());
        s.scheduler.advance(Duration.ofMillis(6)); // the continuation 6 ms
        s.scheduler.runToCompletion();
        assertThat(ex.response().status()).isEqualTo(200);
        List<SpanData> trace = s.trace();
        assertThat(count(trace, "job.queue_wait")).isEqualTo(2);
        Golden.assertMatches("04-queue-heavy", TraceText.render(trace));
    }

    @Test
    void s05_parkHeavyPromotesParksWithLimits() throws Exception {
        Scenario s = new Scenario(Map.of());
        s.scripts.put("post", Scenario.db(Script.returning("post-7")
                .park(ParkCause.BACKPRESSURE, "db_pool", 1, 1, Duration.ofMillis(8))
                .park(ParkCause.IO_WAIT, "sqlite", Duration.ofMillis(6))
                .park(ParkCause.IO_WAIT, "sqlite", Duration.ofMillis(2))));
        InProcess.Exchange ex = s.send("/posts/7");
        s.scheduler.runToCompletion();
        assertThat(ex.response().status()).isEqualTo(200);
        List<SpanData> trace = s.trace();
        SpanData pool = span(trace, "job.park(backpressure)");
        assertThat(pool.getAttributes().get(AttributeKey.longKey("concurrency.limit.max"))).isEqualTo(1L);
        assertThat(pool.getParentSpanId()).isEqualTo(span(trace, "db.get posts").getSpanId());
        assertThat(count(trace, "job.park(io_wait)")).isEqualTo(1); // the 2 ms episode stays an event
        Golden.assertMatches("05-park-heavy", TraceText.render(trace));
    }

    @Test
    void s06a_parallelEffectsJoinAll() throws Exception {
        Scenario s = new Scenario(Map.of());
        s.scripts.put("post", Scenario.db(Script.returning("post-7").park(ParkCause.IO_WAIT, "sqlite", Duration.ofMillis(2))));
        s.scripts.put("comments", Scenario.http(Script.returning("[]").park(ParkCause.IO_WAIT, "comments", Duration.ofMillis(3)), 200));
        InProcess.Exchange ex = s.send("/pages/7");
        s.scheduler.runToCompletion();
        assertThat(ex.response().bodyText()).isEqualTo("post-7author-ana[]");
        List<SpanData> trace = s.trace();
        String needStep = span(trace, "step.load_page").getSpanId();
        assertThat(trace).filteredOn(sp -> sp.getKind() == io.opentelemetry.api.trace.SpanKind.CLIENT)
                .hasSize(3).allMatch(sp -> sp.getParentSpanId().equals(needStep));
        Golden.assertMatches("06a-parallel-join-all", TraceText.render(trace));
    }

    @Test
    void s06b_parallelEffectsFirstSuccess() throws Exception {
        Scenario s = new Scenario(Map.of());
        s.scripts.put("primary", Scenario.http(Script.failing(EffectFailure.infrastructure("503", "peer answered 503"))
                .park(ParkCause.IO_WAIT, "comments_primary", MS), 503));
        s.scripts.put("mirror", Scenario.http(Script.returning("[mirror]")
                .park(ParkCause.IO_WAIT, "comments_mirror", Duration.ofMillis(2)), 200));
        InProcess.Exchange ex = s.send("/mirror");
        s.scheduler.runToCompletion();
        assertThat(ex.response().bodyText()).isEqualTo("[mirror]");
        List<SpanData> trace = s.trace();
        // optional and failed: UNSET, not ERROR
        assertThat(span(trace, "http.get comments_primary").getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        Golden.assertMatches("06b-parallel-first-success", TraceText.render(trace));
    }

    @Test
    void s07_debugJobsPromotesEverything() throws Exception {
        Scenario s = new Scenario(Map.of(OtelSettings.DEBUG_JOBS, "1"));
        s.scripts.put("post", Scenario.db(Script.returning("post-7").park(ParkCause.IO_WAIT, "sqlite", MS)));
        InProcess.Exchange ex = s.send("/posts/7");
        s.scheduler.runToCompletion();
        assertThat(ex.response().status()).isEqualTo(200);
        List<SpanData> trace = s.trace();
        assertThat(count(trace, "job.queue_wait")).isEqualTo(3); // request, effect and continuation jobs
        assertThat(count(trace, "job.park(io_wait)")).isEqualTo(1);
        Golden.assertMatches("07-debug-jobs", TraceText.render(trace));
    }

    @Test
    void s08_retryWithBackoff() throws Exception {
        Scenario fresh = new Scenario(Map.of()).dbRetry(
                RetryPolicy.attempts(3).backoff(Duration.ofMillis(10)).multiplier(2).jitter(0));
        fresh.scripts.put("post", Scenario.db(Script.returning("post-7")
                .failFirst(2, EffectFailure.infrastructure("timeout", "no answer within 2000 ms"))));
        InProcess.Exchange ex = fresh.send("/posts/7");
        fresh.scheduler.runToCompletion();
        assertThat(ex.response().status()).isEqualTo(200);
        List<SpanData> trace = fresh.trace();
        SpanData db = span(trace, "db.get posts");
        assertThat(db.getEvents()).filteredOn(e -> e.getName().equals("zerver.retry")).hasSize(2);
        assertThat(count(trace, "job.park(timer)")).isEqualTo(2);
        Golden.assertMatches("08-retry-backoff", TraceText.render(trace));
    }

    @Test
    void s09_aHeadDroppedTraceKeptByATailTrigger() throws Exception {
        Scenario s = new Scenario(Map.of(OtelSettings.SAMPLER, "head:0,tail:error|p99"));
        InProcess.Exchange ok = s.send("/posts/7");
        s.scheduler.runToCompletion();
        assertThat(ok.response().status()).isEqualTo(200);
        assertThat(s.trace()).as("dropped by the head, no trigger holds").isNull();

        s.scripts.put("post", Scenario.db(Script.failing(EffectFailure.infrastructure("io_error", "disk I/O error"))));
        InProcess.Exchange failed = s.send("/posts/7");
        s.scheduler.runToCompletion();
        assertThat(failed.response().status()).isEqualTo(500);
        List<SpanData> trace = s.trace();
        assertThat(span(trace, "http.server: GET /posts/{id}").getAttributes()
                .get(AttributeKey.stringKey("zerver.sampling.reason"))).isEqualTo("tail:error");
        Golden.assertMatches("09-tail-kept", TraceText.render(trace));
    }

    @Test
    void s10_oldHttpKeysOnlyWithDup() throws Exception {
        for (String mode : new String[] {"http/dup", "http"}) {
            Scenario s = new Scenario(Map.of(OtelSettings.SEMCONV_STABILITY_OPT_IN, mode));
            InProcess.Exchange ex = s.send("/pages/7");
            s.scheduler.runToCompletion();
            assertThat(ex.response().status()).isEqualTo(200);
            List<SpanData> trace = s.trace();
            SpanData root = span(trace, "http.server: GET /pages/{id}");
            SpanData http = span(trace, "http.get comments");
            boolean dup = mode.equals("http/dup");
            for (String old : List.of("http.method", "http.status_code", "http.target", "http.scheme", "http.url",
                    "http.user_agent", "http.client_ip", "net.host.name", "net.host.port", "http.flavor")) {
                assertThat(root.getAttributes().asMap().keySet().stream().anyMatch(k -> k.getKey().equals(old)))
                        .as("%s on the root with %s", old, mode).isEqualTo(dup);
            }
            assertThat(http.getAttributes().get(AttributeKey.stringKey("http.url")) != null).isEqualTo(dup);
            assertThat(root.getAttributes().get(AttributeKey.stringKey("http.request.method"))).isEqualTo("GET");
            Golden.assertMatches("10-semconv-" + (dup ? "dup" : "stable"), TraceText.render(trace));
        }
    }
}
