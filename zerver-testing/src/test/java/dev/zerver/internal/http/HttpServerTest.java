package dev.zerver.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerver.Decision;
import dev.zerver.EffectKind;
import dev.zerver.Need;
import dev.zerver.Response;
import dev.zerver.Slot;
import dev.zerver.Step;
import dev.zerver.Zerver;
import dev.zerver.telemetry.ParkCause;
import dev.zerver.testing.ScriptedEffects;
import dev.zerver.testing.ScriptedEffects.Script;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Netty transport over raw loopback sockets, so that malformed bytes can be sent. */
class HttpServerTest {
    static final Slot<String> WAITED = Slot.of("waited", String.class);
    private Zerver app;

    /** One parsed HTTP/1.1 response. */
    record Reply(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** A raw client connection with a read timeout, so a hung server fails the test instead of hanging it. */
    static final class Conn implements AutoCloseable {
        final Socket socket = new Socket();
        final InputStream in;
        final OutputStream out;

        Conn(int port) throws IOException {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(10_000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        Conn send(String raw) throws IOException {
            out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return this;
        }

        Reply read() throws IOException {
            String statusLine = line();
            assertThat(statusLine).startsWith("HTTP/1.");
            int status = Integer.parseInt(statusLine.substring(9, 12));
            Map<String, String> headers = new LinkedHashMap<>();
            for (String h = line(); !h.isEmpty(); h = line()) {
                int colon = h.indexOf(':');
                headers.put(h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
            }
            int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
            byte[] body = in.readNBytes(length);
            return new Reply(status, headers, new String(body, StandardCharsets.UTF_8));
        }

        /** Whether the server closed the connection (end of stream within the read timeout). */
        boolean closedByServer() throws IOException {
            try {
                return in.read() == -1;
            } catch (java.net.SocketException reset) {
                return true;
            }
        }

        private String line() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) != '\n') {
                if (c == -1) {
                    throw new IOException("connection closed mid-response");
                }
                if (c != '\r') {
                    b.write(c);
                }
            }
            return b.toString(StandardCharsets.ISO_8859_1);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** /fast answers at once; /slow/{ms} waits that long on a timer park (holding no worker). */
    private Zerver start(Map<String, String> env) {
        Step fast = Step.named("fast").run(ctx -> Decision.done(Response.text("fast " + ctx.header("x-n"))));
        Step slow = Step.named("slow").writes(WAITED).run(ctx -> Need.of(ScriptedEffects.effect(EffectKind.TIMER,
                        "sleep", "wait", Script.returning("done").park(ParkCause.TIMER, "sleep",
                                Duration.ofMillis(Long.parseLong(ctx.param("ms"))))).into(WAITED))
                .continueWith("reply", k -> Decision.done(Response.text("slow " + k.require(WAITED)))));
        Step echo = Step.named("echo").run(ctx -> Decision.done(Response.text("got " + ctx.body().length)));
        app = Zerver.builder().environment(env).port(0).effectHandler(new ScriptedEffects())
                .get("/fast", fast).get("/slow/{ms}", slow).post("/echo", echo).build().start();
        return app;
    }

    @AfterEach
    void stop() {
        if (app != null) {
            app.stop(Duration.ofSeconds(2));
        }
    }

    @Test
    void keepAliveServesSeveralRequestsOnOneConnection() throws Exception {
        start(Map.of());
        try (Conn c = new Conn(app.port())) {
            for (int i = 0; i < 3; i++) {
                Reply r = c.send("GET /fast HTTP/1.1\r\nHost: x\r\nx-n: " + i + "\r\n\r\n").read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.body()).isEqualTo("fast " + i);
                assertThat(r.header("x-request-id")).hasSize(32);
            }
        }
    }

    @Test
    void pipelinedResponsesComeBackInRequestOrder() throws Exception {
        start(Map.of());
        try (Conn c = new Conn(app.port())) {
            c.send("GET /slow/150 HTTP/1.1\r\nHost: x\r\nx-request-id: first\r\n\r\n"
                    + "GET /fast HTTP/1.1\r\nHost: x\r\nx-n: 2\r\nx-request-id: second\r\n\r\n");
            Reply first = c.read();
            Reply second = c.read();
            assertThat(first.body()).isEqualTo("slow done");
            assertThat(first.header("x-request-id")).isEqualTo("first");
            assertThat(second.body()).isEqualTo("fast 2");
            assertThat(second.header("x-request-id")).isEqualTo("second");
        }
    }

    @Test
    void malformedRequestGets400AndTheConnectionIsClosed() throws Exception {
        start(Map.of());
        try (Conn c = new Conn(app.port())) {
            Reply r = c.send("GET /fast HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.body()).contains("\"key\":\"malformed\"");
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(c.closedByServer()).isTrue();
        }
        try (Conn c = new Conn(app.port())) {
            Reply r = c.send("THIS IS NOT HTTP\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void oversizedBodyGets413() throws Exception {
        start(Map.of("ZER_VER_MAX_BODY_BYTES", "1k"));
        try (Conn c = new Conn(app.port())) {
            Reply ok = c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello").read();
            assertThat(ok.body()).isEqualTo("got 5");
            Reply r = c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4096\r\n\r\n" + "x".repeat(4096))
                    .read();
            assertThat(r.status()).isEqualTo(413);
            assertThat(r.body()).contains("\"key\":\"too_large\"");
        }
    }

    @Test
    void oversizedHeadersGet431() throws Exception {
        start(Map.of("ZER_VER_MAX_HEADER_BYTES", "2k"));
        try (Conn c = new Conn(app.port())) {
            Reply r = c.send("GET /fast HTTP/1.1\r\nHost: x\r\nx-big: " + "a".repeat(4096) + "\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(431);
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void idleConnectionsAreClosed() throws Exception {
        start(Map.of("ZER_VER_IDLE_TIMEOUT", "1s"));
        try (Conn c = new Conn(app.port())) {
            assertThat(c.send("GET /fast HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(200);
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void gracefulShutdownFinishesInFlightRequestsAndStopsAccepting() throws Exception {
        start(Map.of());
        int port = app.port();
        try (Conn c = new Conn(port)) {
            c.send("GET /slow/300 HTTP/1.1\r\nHost: x\r\n\r\n");
            waitUntilInFlight(1);
            CompletableFuture<Boolean> stopped = CompletableFuture.supplyAsync(() -> app.stop(Duration.ofSeconds(10)));
            Reply r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("slow done");
            assertThat(stopped.get(10, TimeUnit.SECONDS)).as("finished within the grace period").isTrue();
        }
        assertThatThrownBy(() -> new Conn(port).close()).isInstanceOf(ConnectException.class);
    }

    @Test
    void shutdownCancelsWhatOutlivesTheGracePeriod() throws Exception {
        start(Map.of());
        try (Conn c = new Conn(app.port())) {
            c.send("GET /slow/60000 HTTP/1.1\r\nHost: x\r\n\r\n");
            waitUntilInFlight(1);
            CompletableFuture<Boolean> stopped = CompletableFuture.supplyAsync(() -> app.stop(Duration.ofMillis(100)));
            Reply r = c.read();
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.body()).contains("shutting_down");
            assertThat(stopped.get(10, TimeUnit.SECONDS)).isFalse();
        }
    }

    @Test
    void onlyHttp1IsSpokenAndHttp11NeedsExactlyOneHost() throws Exception {
        start(Map.of());
        try (Conn c = new Conn(app.port())) {
            Reply r = c.send("GET /fast HTTP/9.9\r\nHost: x\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(505);
            assertThat(r.body()).contains("\"key\":\"http_version_unsupported\"");
            assertThat(c.closedByServer()).isTrue();
        }
        try (Conn c = new Conn(app.port())) {
            Reply r = c.send("GET /fast HTTP/1.1\r\nx-n: 1\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.body()).contains("\"key\":\"host_missing\"");
        }
        try (Conn c = new Conn(app.port())) {
            Reply r = c.send("GET /fast HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.body()).contains("\"key\":\"host_repeated\"");
        }
        try (Conn c = new Conn(app.port())) {   // HTTP/1.0 may leave Host out
            Reply r = c.send("GET /fast HTTP/1.0\r\nx-n: 0\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("fast 0");
        }
    }

    /** The record names the protocol version with one shared string per version: encoders keep its encoding by identity. */
    @Test
    void theRecordNamesTheProtocolVersionWithOneStringPerVersion() throws Exception {
        java.util.List<dev.zerver.telemetry.RequestRecord> records = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(4);
        app = Zerver.builder().environment(Map.of()).port(0).listener(r -> {
                    records.add(r);
                    finished.countDown();
                })
                .get("/fast", Step.named("fast").run(ctx -> Decision.done(Response.text("fast")))).build().start();
        for (String version : new String[] {"1.1", "1.0", "1.1", "1.0"}) {
            try (Conn c = new Conn(app.port())) {
                assertThat(c.send("GET /fast HTTP/" + version + "\r\nHost: x\r\n\r\n").read().status()).isEqualTo(200);
            }
        }
        assertThat(finished.await(10, TimeUnit.SECONDS)).as("four records").isTrue();
        java.util.List<String> versions = records.stream().map(dev.zerver.telemetry.RequestRecord::protocolVersion).sorted().toList();
        assertThat(versions).containsExactly("1.0", "1.0", "1.1", "1.1");
        assertThat(versions.get(0)).isSameAs(versions.get(1));
        assertThat(versions.get(2)).isSameAs(versions.get(3));
    }

    @Test
    void aClientThatHalfClosesAfterItsRequestsStillGetsEveryAnswer() throws Exception {
        start(Map.of());
        try (Conn c = new Conn(app.port())) {
            c.send("GET /slow/100 HTTP/1.1\r\nHost: x\r\n\r\nGET /fast HTTP/1.1\r\nHost: x\r\nx-n: 2\r\n\r\n");
            c.socket.shutdownOutput();
            assertThat(c.read().body()).isEqualTo("slow done");
            assertThat(c.read().body()).isEqualTo("fast 2");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void manyPipelinedRequestsAreAllAnsweredInOrder() throws Exception {
        start(Map.of());
        int n = 300;
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < n; i++) {
            all.append("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: ").append(i % 10).append("\r\n\r\n")
                    .append("x".repeat(i % 10));
        }
        try (Conn c = new Conn(app.port())) {
            c.send(all.toString());
            for (int i = 0; i < n; i++) {
                Reply r = c.read();
                assertThat(r.status()).as("response %d", i).isEqualTo(200);
                assertThat(r.body()).as("response %d", i).isEqualTo("got " + (i % 10));
            }
        }
    }

    @Test
    void responsesDuringShutdownSayConnectionClose() throws Exception {
        start(Map.of());
        try (Conn c = new Conn(app.port())) {
            c.send("GET /slow/300 HTTP/1.1\r\nHost: x\r\n\r\n");
            waitUntilInFlight(1);
            CompletableFuture<Boolean> stopped = CompletableFuture.supplyAsync(() -> app.stop(Duration.ofSeconds(10)));
            Reply r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(c.closedByServer()).isTrue();
            assertThat(stopped.get(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void aHeaderBlockThatDoesNotFinishInTimeGets408() throws Exception {
        start(Map.of("ZER_VER_HEADER_TIMEOUT", "500ms"));
        try (Conn c = new Conn(app.port())) {
            assertThat(c.send("GET /fast HTTP/1.1\r\nHost: x\r\n\r\n").read().status()).isEqualTo(200);
            Reply r = c.send("GET /fast HTTP/1.1\r\nHost: x\r\n").read();   // the head never ends
            assertThat(r.status()).isEqualTo(408);
            assertThat(r.body()).contains("\"key\":\"header_timeout\"");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    /** The header clock runs from the head's first byte, however many reads bring the rest. */
    @Test
    void aHeadTrickledInPiecesIsTimedFromItsFirstByte() throws Exception {
        start(Map.of("ZER_VER_HEADER_TIMEOUT", "500ms"));
        try (Conn c = new Conn(app.port())) {
            c.send("GET /fast HTTP/1.1\r\nHost: x\r\n");
            Thread trickle = new Thread(() -> {
                try {
                    for (int i = 0; i < 30; i++) {   // 3 s of header lines, one each 100 ms
                        Thread.sleep(100);
                        c.send("X-Piece: " + i + "\r\n");
                    }
                    c.send("\r\n");
                } catch (IOException | InterruptedException closed) {
                    // the server answered 408 and closed: expected
                }
            });
            trickle.start();
            Reply r = c.read();
            assertThat(r.status()).isEqualTo(408);
            assertThat(r.body()).contains("\"key\":\"header_timeout\"");
            trickle.interrupt();
            trickle.join(5_000);
        }
    }

    @Test
    void aBodySlowerThanTheMinimumRateGets408AfterTheGrace() throws Exception {
        start(Map.of("ZER_VER_MIN_BODY_RATE", "1k"));
        try (Conn c = new Conn(app.port())) {
            Reply r = c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n0123456789").read();
            assertThat(r.status()).isEqualTo(408);
            assertThat(r.body()).contains("\"key\":\"body_too_slow\"");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    @SuppressWarnings("try") // the first connection is closed early on purpose, inside its try
    void connectionsBeyondTheCapAreClosedAtOnce() throws Exception {
        start(Map.of("ZER_VER_MAX_CONNECTIONS", "2"));
        try (Conn a = new Conn(app.port()); Conn b = new Conn(app.port())) {
            assertThat(a.send("GET /fast HTTP/1.1\r\nHost: x\r\nx-n: a\r\n\r\n").read().body()).isEqualTo("fast a");
            assertThat(b.send("GET /fast HTTP/1.1\r\nHost: x\r\nx-n: b\r\n\r\n").read().body()).isEqualTo("fast b");
            try (Conn third = new Conn(app.port())) {
                assertThat(third.closedByServer()).isTrue();
            }
            a.close();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {   // the server notices a's close asynchronously
                try (Conn again = new Conn(app.port())) {
                    again.send("GET /fast HTTP/1.1\r\nHost: x\r\nx-n: c\r\n\r\n");
                    assertThat(again.read().body()).isEqualTo("fast c");
                    break;
                } catch (IOException refused) {
                    assertThat(System.nanoTime()).as("a slot freed after a close").isLessThan(until);
                    Thread.sleep(20);
                }
            }
            assertThat(b.send("GET /fast HTTP/1.1\r\nHost: x\r\nx-n: b2\r\n\r\n").read().body()).isEqualTo("fast b2");
        }
    }

    private void waitUntilInFlight(int n) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (app.inFlight() < n) {
            assertThat(System.nanoTime()).as("request reached the runtime").isLessThan(until);
            Thread.sleep(5);
        }
    }
}
