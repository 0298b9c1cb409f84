package dev.zerver.effects.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerver.Decision;
import dev.zerver.Effect;
import dev.zerver.Need;
import dev.zerver.Response;
import dev.zerver.RetryPolicy;
import dev.zerver.Slot;
import dev.zerver.Step;
import dev.zerver.effects.App;
import dev.zerver.effects.Peer;
import dev.zerver.telemetry.EffectRecord;
import dev.zerver.telemetry.JobRecord;
import dev.zerver.telemetry.ParkCause;
import dev.zerver.telemetry.ParkEpisode;
import dev.zerver.telemetry.RequestRecord;
import dev.zerver.testing.InProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** HTTP effects against a real server on loopback. */
class HttpEffectsTest {
    static final Slot<String> BODY = Slot.of("body", String.class);
    private Peer peer;
    private App app;

    @BeforeEach
    void peer() throws Exception {
        peer = new Peer();
    }

    @AfterEach
    void close() {
        if (app != null) {
            app.close();
        }
        peer.close();
    }

    /** GET /x/{n}: one effect built from the peer path, answered with its body (empty when an optional one failed). */
    private static Step calling(Function<String, Effect> effect) {
        return Step.named("call").writes(BODY).run(ctx -> Need.of(effect.apply(ctx.param("n")).into(BODY))
                .continueWith("show", k -> Decision.done(Response.text(k.optional(BODY).orElse("")))));
    }

    private App real(Map<String, String> env, HttpEffects http, Function<String, Effect> effect) {
        app = App.real(env, List.of(http), b -> b.get("/x/{n}", calling(effect)));
        return app;
    }

    private static List<ParkEpisode> parks(RequestRecord r, ParkCause cause) {
        List<ParkEpisode> out = new ArrayList<>();
        for (JobRecord j : r.jobs()) {
            j.parks().stream().filter(p -> p.cause() == cause).forEach(out::add);
        }
        return out;
    }

    @Test
    void fiftyWaitingEffectsDoNotHoldTheOnlyWorkerNorMakeAThreadEach() throws Exception {
        HttpEffects http = HttpEffects.builder().build();
        real(Map.of("ZER_VER_EFFECT_WORKERS", "1"), http, n -> Http.get(peer.url("/delay/200"), "slow"));
        assertThat(app.send("GET", "/x/first").await(30, TimeUnit.SECONDS).bodyText()).isEqualTo("late");
        app.record();
        java.util.Set<String> before = liveThreads();
        List<InProcess.Exchange> all = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            all.add(app.send("GET", "/x/" + i));
        }
        for (InProcess.Exchange ex : all) {
            assertThat(ex.await(30, TimeUnit.SECONDS).bodyText()).isEqualTo("late");
        }
        java.util.Set<String> made = liveThreads();
        made.removeAll(before);
        made.removeIf(name -> name.startsWith("peer-"));
        assertThat(made).as("threads made for 50 calls in flight").isEmpty();
        assertThat(before.stream().filter(t -> t.startsWith("zerver-http-client"))).as("the client's I/O threads")
                .hasSize(1);
        // Overlap, read from the records rather than timed: calls parked at the same time, which
        // one worker could not do if a call held it.
        List<long[]> waits = new ArrayList<>();
        for (RequestRecord r : app.records(50)) {
            assertThat(parks(r, ParkCause.IO_WAIT)).singleElement().satisfies(p -> {
                assertThat(p.token()).isEqualTo("slow");
                waits.add(new long[] {p.parkNanos(), p.resumeNanos()});
            });
        }
        int most = 0;
        for (long[] w : waits) {
            int overlapping = 0;
            for (long[] other : waits) {
                if (other[0] <= w[0] && w[0] < other[1]) {
                    overlapping++;
                }
            }
            most = Math.max(most, overlapping);
        }
        assertThat(most).as("calls parked at once on one effect worker").isGreaterThan(10);
    }

    private static java.util.Set<String> liveThreads() {
        java.util.Set<String> names = new java.util.HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            names.add(t.getName());
        }
        return names;
    }

    @Test
    void callsToOnePeerReuseTheirConnection() throws Exception {
        real(Map.of(), HttpEffects.builder().build(), n -> Http.get(peer.url("/ok/" + n), "peer"));
        for (int i = 0; i < 5; i++) {
            assertThat(app.call("GET", "/x/" + i).effects().get(0).success()).isTrue();
        }
        assertThat(peer.received).hasSize(5);
        assertThat(peer.received.stream().map(Peer.Received::clientPort).distinct()).as("connections used").hasSize(1);
    }

    /**
     * A host name is looked up on the client's lookup thread, never on its one I/O thread (the
     * JDK's lookup blocks); an address literal needs no lookup at all.
     */
    @Test
    void aHostNameIsLookedUpOffTheClientsIoThread() throws Exception {
        // Lookup threads of clients closed by earlier tests end when their executor is shut down.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (liveThreads().contains(LookupsOffTheLoop.THREAD_NAME)) {
            assertThat(System.nanoTime()).as("earlier lookup threads ended").isLessThan(deadline);
            Thread.sleep(10);
        }
        String literal = peer.url("/ok/");
        String named = literal.replace("://127.0.0.1:", "://localhost:");
        assertThat(named).isNotEqualTo(literal);
        real(Map.of(), HttpEffects.builder().build(), n -> Http.get((n.startsWith("l") ? literal : named) + n, "peer"));
        assertThat(app.call("GET", "/x/literal").effects().get(0).success()).isTrue();
        assertThat(liveThreads()).as("no lookup for an address literal")
                .noneMatch(t -> t.equals(LookupsOffTheLoop.THREAD_NAME));
        assertThat(app.call("GET", "/x/name").effects().get(0).success()).isTrue();
        assertThat(peer.received).hasSize(2);
        assertThat(liveThreads()).as("the lookup ran on the lookup thread").contains(LookupsOffTheLoop.THREAD_NAME);
    }

    @Test
    void aConnectionThePeerClosesIsNotReused() throws Exception {
        real(Map.of(), HttpEffects.builder().build(), n -> Http.get(peer.url("/close/" + n), "peer"));
        for (int i = 0; i < 3; i++) {
            assertThat(app.send("GET", "/x/" + i).await(30, TimeUnit.SECONDS).bodyText()).isEqualTo(Integer.toString(i));
            assertThat(app.record().effects().get(0).success()).isTrue();
        }
        assertThat(peer.received.stream().map(Peer.Received::clientPort).distinct()).as("connections used").hasSize(3);
    }

    /**
     * TLS is on for https, and the peer's certificate is checked against the trust store (the
     * JDK's, or the one the standard {@code javax.net.ssl.trustStore} property names) and against
     * the host the URL names.
     */
    @Test
    void httpsChecksThePeersCertificateAndName(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        try (TlsPeer right = new TlsPeer(dir, "ip:127.0.0.1"); TlsPeer wrongName = new TlsPeer(dir, "dns:elsewhere.example")) {
            EffectRecord untrusted = httpsCall(right.url("/secret"), null);
            assertThat(untrusted.errorType()).isEqualTo("io_error");
            assertThat(untrusted.errorMessage()).containsIgnoringCase("certification path");
            assertThat(right.requests).as("requests that passed the handshake").hasValue(0);

            EffectRecord otherName = httpsCall(wrongName.url("/secret"), wrongName);
            assertThat(otherName.errorType()).isEqualTo("io_error");
            assertThat(otherName.errorMessage()).containsIgnoringCase("subject alternative name");
            assertThat(wrongName.requests).hasValue(0);

            assertThat(httpsCall(right.url("/secret"), right).success()).isTrue();
            assertThat(right.requests).hasValue(1);
        }
    }

    /** One https call by a fresh client that trusts {@code trusted}'s certificate (or only the JDK's). */
    private EffectRecord httpsCall(String url, TlsPeer trusted) throws Exception {
        if (trusted != null) {
            System.setProperty("javax.net.ssl.trustStore", trusted.keyStore.toString());
            System.setProperty("javax.net.ssl.trustStorePassword", TlsPeer.PASSWORD);
        }
        try {
            real(Map.of(), HttpEffects.builder().build(), n -> Http.get(url, "tls_peer").optional());
            app.send("GET", "/x/1").await(30, TimeUnit.SECONDS);
            return app.record().effects().get(0);
        } finally {
            System.clearProperty("javax.net.ssl.trustStore");
            System.clearProperty("javax.net.ssl.trustStorePassword");
            app.close();
            app = null;
        }
    }

    @Test
    void thePeerReceivesTheEffectSpanAsParent() throws Exception {
        real(Map.of(), HttpEffects.builder().build(), n -> Http.get(peer.url("/ok/hi"), "greeter"));
        RequestRecord r = app.call("GET", "/x/1");
        EffectRecord e = r.effects().get(0);
        assertThat(e.success()).isTrue();
        assertThat(peer.received).singleElement().satisfies(got -> assertThat(got.header("traceparent"))
                .isEqualTo("00-" + r.traceId() + "-" + e.spanId() + "-01"));
        assertThat(e.attributes()).containsEntry("http.request.method", "GET")
                .containsEntry("http.response.status_code", 200)
                .containsEntry("server.address", "127.0.0.1")
                .containsEntry("server.port", peer.port())
                .containsEntry("url.full", peer.url("/ok/hi"));
        assertThat(e.target()).isEqualTo("greeter");
        assertThat(e.operation()).isEqualTo("get");
    }

    @Test
    void peer5xxIsAnInfrastructureFailureAndIsRetried() throws Exception {
        real(Map.of(), HttpEffects.builder().build(), n -> Http.get(peer.url("/status/503"), "flaky")
                .retry(RetryPolicy.attempts(3).backoff(Duration.ofMillis(5))));
        InProcess.Exchange ex = app.send("GET", "/x/1");
        assertThat(ex.await(30, TimeUnit.SECONDS).status()).isEqualTo(502);
        RequestRecord r = app.record();
        EffectRecord e = r.effects().get(0);
        assertThat(e.isInfrastructureFailure()).isTrue();
        assertThat(e.errorType()).isEqualTo("503");
        assertThat(e.attempts()).isEqualTo(3);
        assertThat(e.retries()).hasSize(2);
        assertThat(e.attributes()).containsEntry("http.request.resend_count", 2);
        assertThat(peer.received).hasSize(3);
        assertThat(parks(r, ParkCause.TIMER)).hasSize(2)
                .allSatisfy(p -> assertThat(p.token()).isEqualTo("retry_backoff"));
    }

    @Test
    void peer4xxIsAnApplicationFailureWithThePeersStatus() throws Exception {
        real(Map.of(), HttpEffects.builder().build(), n -> Http.get(peer.url("/status/404"), "lookup")
                .retry(RetryPolicy.attempts(3)));
        InProcess.Exchange ex = app.send("GET", "/x/1");
        assertThat(ex.await(30, TimeUnit.SECONDS).status()).isEqualTo(404);
        EffectRecord e = app.record().effects().get(0);
        assertThat(e.isInfrastructureFailure()).isFalse();
        assertThat(e.attempts()).isEqualTo(1);
        assertThat(peer.received).hasSize(1);
    }

    /**
     * The client is shared by every request: a cookie one peer response sets must not ride along on
     * the next user's call, and a redirect is the peer's answer, recorded as such, not followed.
     */
    @Test
    void theSharedClientKeepsNoCookiesAndFollowsNoRedirects() throws Exception {
        real(Map.of(), HttpEffects.builder().build(), n -> Http.get(peer.url("/" + n), "peer").optional());
        assertThat(app.send("GET", "/x/cookie").await(30, TimeUnit.SECONDS).status()).isEqualTo(200);
        app.record();
        assertThat(app.send("GET", "/x/cookie").await(30, TimeUnit.SECONDS).status()).isEqualTo(200);
        app.record();
        assertThat(peer.received).hasSize(2);
        assertThat(peer.received.get(1).header("cookie")).isNull();

        app.send("GET", "/x/redirect").await(30, TimeUnit.SECONDS);
        EffectRecord e = app.record().effects().get(0);
        assertThat(e.attributes().get("http.response.status_code")).isEqualTo(302);
        assertThat(peer.received).hasSize(3);
        assertThat(peer.received.get(2).pathAndQuery()).isEqualTo("/redirect");
    }

    @Test
    void aResetConnectionIsAnIoError() throws Exception {
        real(Map.of(), HttpEffects.builder().build(), n -> Http.get(peer.url("/reset"), "rude"));
        InProcess.Exchange ex = app.send("GET", "/x/1");
        assertThat(ex.await(30, TimeUnit.SECONDS).status()).isEqualTo(500);
        EffectRecord e = app.record().effects().get(0);
        assertThat(e.errorType()).isEqualTo("io_error");
        assertThat(e.isInfrastructureFailure()).isTrue();
    }

    @Test
    void aPeerThatNeverAnswersTimesOut() throws Exception {
        real(Map.of(), HttpEffects.builder().build(), n -> Http.get(peer.url("/never"), "silent")
                .timeout(Duration.ofMillis(300)));
        InProcess.Exchange ex = app.send("GET", "/x/1");
        assertThat(ex.await(30, TimeUnit.SECONDS).status()).isEqualTo(500);
        EffectRecord e = app.record().effects().get(0);
        assertThat(e.errorType()).isEqualTo("timeout");
    }

    /** A peer whose accept queue is full: the connection cannot be opened, and the client's connect timeout ends the call. */
    @Test
    void aConnectionThatCannotBeOpenedInTimeIsATimeout() throws Exception {
        try (java.net.ServerSocket full = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            List<java.net.Socket> queued = new ArrayList<>();
            try {
                for (int i = 0; i < 8; i++) { // more than the kernel queues for a backlog of 1
                    java.net.Socket s = new java.net.Socket();
                    try {
                        s.connect(full.getLocalSocketAddress(), 100);
                        queued.add(s);
                    } catch (java.io.IOException timedOut) {
                        s.close();
                        break;
                    }
                }
                real(Map.of(), HttpEffects.builder().connectTimeout(Duration.ofMillis(200)).build(),
                        n -> Http.get("http://127.0.0.1:" + full.getLocalPort() + "/x", "unreachable").timeout(Duration.ofSeconds(20)));
                InProcess.Exchange ex = app.send("GET", "/x/1");
                assertThat(ex.await(30, TimeUnit.SECONDS).status()).isEqualTo(500);
                EffectRecord e = app.record().effects().get(0);
                assertThat(e.errorType()).isEqualTo("timeout");
                assertThat(e.errorMessage()).contains("connection timed out");
            } finally {
                for (java.net.Socket s : queued) {
                    s.close();
                }
            }
        }
    }

    @Test
    void theClientsOwnResponseTimeoutIsATimeoutToo() throws Exception {
        real(Map.of(), HttpEffects.builder().responseTimeout(Duration.ofMillis(200)).build(),
                n -> Http.get(peer.url("/never"), "silent").timeout(Duration.ofSeconds(20)));
        InProcess.Exchange ex = app.send("GET", "/x/1");
        assertThat(ex.await(30, TimeUnit.SECONDS).status()).isEqualTo(500);
        EffectRecord e = app.record().effects().get(0);
        assertThat(e.errorType()).isEqualTo("timeout");
        assertThat(e.isInfrastructureFailure()).isTrue();
    }

    @Test
    void aTargetOverItsConcurrencyLimitParksWithTheLimit() throws Exception {
        HttpEffects http = HttpEffects.builder().limit("held", 2).build();
        real(Map.of("ZER_VER_EFFECT_WORKERS", "2"), http, n -> Http.get(peer.url("/hold"), "held"));
        List<InProcess.Exchange> all = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            all.add(app.send("GET", "/x/" + i));
        }
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (http.limitOf("held") == null || http.limitOf("held").waiting() < 4 || peer.received.size() < 2) {
            assertThat(System.nanoTime()).as("four calls queue behind the limit").isLessThan(until);
            Thread.sleep(5);
        }
        assertThat(peer.received).hasSize(2);
        peer.releaseHolds();
        for (InProcess.Exchange ex : all) {
            assertThat(ex.await(30, TimeUnit.SECONDS).bodyText()).isEqualTo("held");
        }
        List<ParkEpisode> backpressure = new ArrayList<>();
        for (RequestRecord r : app.records(6)) {
            backpressure.addAll(parks(r, ParkCause.BACKPRESSURE));
        }
        assertThat(backpressure).hasSize(4).allSatisfy(p -> {
            assertThat(p.token()).isEqualTo("held");
            assertThat(p.limitCurrent()).isEqualTo(2);
            assertThat(p.limitMax()).isEqualTo(2);
        });
    }

    @Test
    void aRateLimitParksEachCallUntilItsSlot() throws Exception {
        HttpEffects http = HttpEffects.builder().rateLimit("api", 5).build();
        app = App.manual(Map.of(), List.of(http), b -> b.get("/x/{n}", calling(n -> Http.get(peer.url("/ok/r"), "api"))));
        List<InProcess.Exchange> all = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            all.add(app.send("GET", "/x/" + i));
        }
        app.scheduler.runUntilIdle();
        app.scheduler.advance(Duration.ofSeconds(1));
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!all.stream().allMatch(InProcess.Exchange::answered)) {
            assertThat(System.nanoTime()).as("every call answered").isLessThan(until);
            app.scheduler.runUntilIdle();
            Thread.sleep(2);
        }
        List<Long> waits = new ArrayList<>();
        for (RequestRecord r : app.records(5)) {
            parks(r, ParkCause.RATE_LIMIT).forEach(p -> {
                assertThat(p.token()).isEqualTo("api");
                waits.add(TimeUnit.NANOSECONDS.toMillis(p.resumeNanos() - p.parkNanos()));
            });
        }
        assertThat(waits).containsExactlyInAnyOrder(200L, 400L, 600L, 800L);
    }

    @Test
    void secretsNeverReachTheRecord() throws Exception {
        String url = "http://alice:s3cret-pass@127.0.0.1:" + peer.port() + "/ok/x?token=tok-123&page=2";
        real(Map.of(), HttpEffects.builder().build(), n -> Http.request(HttpCall.of("GET", url)
                .header("authorization", "Bearer header-secret").target("secure")));
        RequestRecord r = app.call("GET", "/x/1");
        EffectRecord e = r.effects().get(0);
        assertThat(e.success()).isTrue();
        assertThat(e.attributes().get("url.full"))
                .isEqualTo("http://127.0.0.1:" + peer.port() + "/ok/x?token=REDACTED&page=2");
        String everything = r + " " + r.effects() + " " + e.attributes();
        assertThat(everything).doesNotContain("s3cret-pass", "alice", "tok-123", "header-secret");
        assertThat(peer.received.get(0).headers().get("Authorization")).contains("Bearer header-secret");
        assertThat(peer.received.get(0).pathAndQuery()).contains("token=tok-123");
    }

    @Test
    void badCallsFailWhenBuilt() {
        assertThatThrownBy(() -> Http.get("ftp://x/y")).hasMessageContaining("absolute http(s)");
        assertThatThrownBy(() -> Http.get("/relative")).hasMessageContaining("absolute http(s)");
        assertThatThrownBy(() -> HttpCall.of("TRACE", "http://x/")).hasMessageContaining("HTTP method");
        assertThatThrownBy(() -> HttpCall.of("GET", "http://x/").header("Host", "y")).hasMessageContaining("Host");
        assertThatThrownBy(() -> HttpCall.of("GET", "http://x/").header("x-a", "b\r\nc")).hasMessageContaining("line");
        assertThatThrownBy(() -> HttpCall.of("GET", "http://x/").body("no")).hasMessageContaining("no body");
        assertThatThrownBy(() -> HttpCall.of("GET", "http://x/").target("has space")).hasMessageContaining("target");
        assertThatThrownBy(() -> HttpEffects.builder().rateLimit("t", 0)).hasMessageContaining("rate limit");
    }
}
