package dev.zerver.otel.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OTLP/HTTP poster's HTTP/1.1 against peers on loopback that answer as real servers may:
 * chunked, closing, interim 100, closing idle connections, never answering, never reading,
 * malformed; and over TLS. Retry waits are recorded, not slept.
 */
class OtlpHttpPostTest {
    private static final byte[] BODY = "0123456789".repeat(100).getBytes(StandardCharsets.US_ASCII);

    /** One request as the peer read it. */
    private record Received(int connection, String head, byte[] body) {}

    /**
     * A scripted HTTP/1.1 peer: answers the n-th request (from 0, over all connections) with
     * {@code script.apply(n)}, raw bytes, or closes the connection when that is null.
     */
    private static final class Peer implements AutoCloseable {
        final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final List<Received> received = new CopyOnWriteArrayList<>();
        final AtomicInteger connections = new AtomicInteger();
        final AtomicInteger requests = new AtomicInteger();
        final IntFunction<String> script;
        final boolean reads;

        Peer(IntFunction<String> script) throws IOException {
            this(script, true);
        }

        /** {@code reads}: false for a peer that accepts and then reads nothing. */
        Peer(IntFunction<String> script, boolean reads) throws IOException {
            this.script = script;
            this.reads = reads;
            Thread t = new Thread(this::accept, "test-peer");
            t.setDaemon(true);
            t.start();
        }

        String endpoint() {
            return "http://127.0.0.1:" + server.getLocalPort() + "/v1/traces";
        }

        private void accept() {
            try {
                while (true) {
                    Socket s = server.accept();
                    int id = connections.incrementAndGet();
                    Thread t = new Thread(() -> serve(s, id), "test-peer-" + id);
                    t.setDaemon(true);
                    t.start();
                }
            } catch (IOException closed) {
                // the test is over
            }
        }

        private void serve(Socket s, int id) {
            try (s) {
                if (!reads) {
                    Thread.sleep(60_000);
                    return;
                }
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                while (true) {
                    String head = readHead(in);
                    if (head == null) {
                        return;
                    }
                    int length = Integer.parseInt(head.replaceAll("(?is).*\r\ncontent-length: *(\\d+).*", "$1"));
                    byte[] body = in.readNBytes(length);
                    received.add(new Received(id, head, body));
                    String answer = script.apply(requests.getAndIncrement());
                    if (answer == null) {
                        return;
                    }
                    out.write(answer.getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // the client went away
            }
        }

        private static String readHead(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0) {
                head.write(b);
                String text = head.toString(StandardCharsets.ISO_8859_1);
                if (text.endsWith("\r\n\r\n")) {
                    return text;
                }
            }
            return null;
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    /** How one post ended. */
    private static final class Outcome implements OtlpHttpPost.Result {
        final CompletableFuture<String> done = new CompletableFuture<>();

        @Override
        public void delivered() {
            done.complete("delivered");
        }

        @Override
        public void failed(String why) {
            done.complete("failed: " + why);
        }

        String get() throws Exception {
            return done.get(20, TimeUnit.SECONDS);
        }
    }

    private final List<Duration> waits = new CopyOnWriteArrayList<>();

    private OtlpHttpPost poster(String endpoint, Duration timeout) {
        return new OtlpHttpPost(endpoint, "application/x-protobuf", Map.of("api-key", "k1"), false, timeout, 1, "test-post",
                (retry, after) -> {
                    waits.add(after);
                    retry.run();
                });
    }

    private static String post(OtlpHttpPost poster, byte[] body, int offset, int length) throws Exception {
        Outcome o = new Outcome();
        poster.post(body, offset, length, o);
        return o.get();
    }

    @Test
    void postsTheBodyWithItsHeadersAndKeepsTheConnectionAcrossChunkedAndSizedAnswers() throws Exception {
        try (Peer peer = new Peer(n -> n % 2 == 0
                ? "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=1\r\nabc\r\n2\r\nde\r\n0\r\nX-Trailer: t\r\n\r\n"
                : "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
                OtlpHttpPost poster = poster(peer.endpoint(), Duration.ofSeconds(10))) {
            for (int i = 0; i < 4; i++) {
                assertThat(post(poster, BODY, 100, 700)).isEqualTo("delivered");
            }
            assertThat(peer.connections.get()).isEqualTo(1);
            assertThat(peer.received).hasSize(4);
            Received first = peer.received.get(0);
            assertThat(first.body()).isEqualTo(Arrays.copyOfRange(BODY, 100, 800));
            assertThat(first.head())
                    .startsWith("POST /v1/traces HTTP/1.1\r\n")
                    .contains("\r\nHost: 127.0.0.1:" + peer.server.getLocalPort() + "\r\n",
                            "\r\nContent-Type: application/x-protobuf\r\n", "\r\napi-key: k1\r\n", "\r\nContent-Length: 700\r\n");
            assertThat(waits).isEmpty();
        }
    }

    @Test
    void opensANewConnectionAfterConnectionCloseAndAfterAnInterimAnswer() throws Exception {
        try (Peer peer = new Peer(n -> n == 0
                ? "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
                : "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\n{}");
                OtlpHttpPost poster = poster(peer.endpoint(), Duration.ofSeconds(10))) {
            assertThat(post(poster, BODY, 0, BODY.length)).isEqualTo("delivered");
            assertThat(post(poster, BODY, 0, BODY.length)).isEqualTo("delivered");
            assertThat(post(poster, BODY, 0, BODY.length)).isEqualTo("delivered");
            assertThat(peer.connections.get()).isEqualTo(2);
            assertThat(waits).isEmpty();
        }
    }

    @Test
    void aKeptConnectionTheServerClosedWhileIdleIsReplacedWithoutCountingAnAttempt() throws Exception {
        // The peer answers without "Connection: close" and then closes: the next post finds it closed.
        try (Peer peer = new Peer(n -> n % 2 == 0 ? "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n" : null);
                OtlpHttpPost poster = poster(peer.endpoint(), Duration.ofSeconds(10))) {
            assertThat(post(poster, BODY, 0, 10)).isEqualTo("delivered");
            // request 1 reaches the peer, which closes without answering: the post is made again on a new connection
            assertThat(post(poster, BODY, 0, 10)).isEqualTo("delivered");
            assertThat(peer.received).hasSize(3);
            assertThat(peer.connections.get()).isEqualTo(2);
            assertThat(waits).isEmpty();
        }
    }

    @Test
    void retriesRetryableStatusesAndTransportErrorsAndSaysWhatWentWrong() throws Exception {
        try (Peer peer = new Peer(n -> n == 0 ? "HTTP/1.1 503 Busy\r\nRetry-After: 3\r\nContent-Length: 0\r\n\r\n"
                : n == 1 ? "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
                : n == 2 ? "HTTP/1.1 400 Bad Request\r\nContent-Length: 3\r\n\r\nbad"
                : "garbage\r\n\r\n");
                OtlpHttpPost poster = poster(peer.endpoint(), Duration.ofSeconds(10))) {
            assertThat(post(poster, BODY, 0, 10)).isEqualTo("delivered");
            assertThat(waits).containsExactly(Duration.ofSeconds(3));
            assertThat(post(poster, BODY, 0, 10)).endsWith("failed: status 400 (not retryable)");
            waits.clear();
            assertThat(post(poster, BODY, 0, 10))
                    .startsWith("failed: OTLP export to " + peer.endpoint() + " failed: IOException: not an HTTP/1.x answer: \"garbage\"")
                    .endsWith("after 5 attempts");
            assertThat(waits).hasSize(4);
        }
    }

    @Test
    void aServerThatNeverAnswersOrNeverReadsIsGivenUpOnAtTheTimeout() throws Exception {
        try (Peer silent = new Peer(n -> {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        }); OtlpHttpPost poster = poster(silent.endpoint(), Duration.ofMillis(300))) {
            assertThat(post(poster, BODY, 0, 10)).contains("failed: no answer within 300 ms after 1 attempt");
        }
        // More than any socket buffer holds: the write itself blocks until the deadline cuts it off.
        byte[] large = new byte[64 << 20];
        try (Peer deaf = new Peer(n -> null, false); OtlpHttpPost poster = poster(deaf.endpoint(), Duration.ofMillis(300))) {
            assertThat(post(poster, large, 0, large.length)).contains("failed: no answer within 300 ms after 1 attempt");
        }
    }

    @Test
    void refusedConnectionsAreRetriedAndClosingFailsWhatIsLeft() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (OtlpHttpPost poster = poster("http://127.0.0.1:" + port + "/v1/traces", Duration.ofSeconds(10))) {
            assertThat(post(poster, BODY, 0, 10)).contains("ConnectException").endsWith("after 5 attempts");
        }
        OtlpHttpPost closed = poster("http://127.0.0.1:" + port + "/v1/traces", Duration.ofSeconds(10));
        closed.close();
        assertThat(post(closed, BODY, 0, 10)).endsWith("failed: exporter shut down");
    }

    /** A post told to come back later is still answered when the poster closes before its retry is due. */
    @Test
    void closingFailsAPostThatWaitsForItsRetry() throws Exception {
        List<Runnable> held = new CopyOnWriteArrayList<>();
        CountDownLatch retryScheduled = new CountDownLatch(1);
        try (Peer peer = new Peer(n -> "HTTP/1.1 503 Busy\r\nRetry-After: 60\r\nContent-Length: 0\r\n\r\n")) {
            OtlpHttpPost poster = new OtlpHttpPost(peer.endpoint(), "application/x-protobuf", Map.of(), false,
                    Duration.ofSeconds(120), 1, "test-post", (retry, after) -> {
                        held.add(retry); // a timer that never comes round: only close() can answer the post
                        retryScheduled.countDown();
                    });
            Outcome o = new Outcome();
            poster.post(BODY, 0, 10, o);
            assertThat(retryScheduled.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(o.done).isNotDone();
            poster.close();
            assertThat(o.get()).endsWith("failed: exporter shut down");
            held.get(0).run(); // a timer that runs it late changes nothing: answered once
            assertThat(peer.requests.get()).isEqualTo(1);
        }
    }

    @Test
    void onlyHttpEndpointsAreAccepted() {
        assertThatThrownBy(() -> new OtlpHttpPost("ftp://127.0.0.1:1/v1/traces", "application/json", Map.of(), false,
                Duration.ofSeconds(1), 1, "test-post", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http:// or https://");
    }

    @Test
    void postsOverTlsVerifyingTheServerCertificate(@TempDir Path dir) throws Exception {
        Path keystore = dir.resolve("server.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "server", "-keyalg", "EC", "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1",
                "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", "changeit")
                .redirectErrorStream(true).start();
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(new String(keytool.getInputStream().readAllBytes())).isZero();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(ks, "changeit".toCharArray());
        SSLContext serverContext = SSLContext.getInstance("TLS");
        serverContext.init(keys.getKeyManagers(), null, null);
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(ks);
        SSLContext clientContext = SSLContext.getInstance("TLS");
        clientContext.init(null, trust.getTrustManagers(), null);

        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(serverContext));
        List<byte[]> bodies = new CopyOnWriteArrayList<>();
        server.createContext("/v1/traces", exchange -> {
            bodies.add(exchange.getRequestBody().readAllBytes());
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.start();
        String endpoint = "https://127.0.0.1:" + server.getAddress().getPort() + "/v1/traces";
        try (OtlpHttpPost trusting = new OtlpHttpPost(endpoint, "application/x-protobuf", Map.of(), false,
                Duration.ofSeconds(10), 1, "test-post", (retry, after) -> retry.run(), clientContext.getSocketFactory());
                OtlpHttpPost defaults = poster(endpoint, Duration.ofSeconds(10))) {
            assertThat(post(trusting, BODY, 0, BODY.length)).isEqualTo("delivered");
            assertThat(post(trusting, BODY, 5, 20)).isEqualTo("delivered");
            assertThat(bodies).hasSize(2);
            assertThat(bodies.get(0)).isEqualTo(BODY);
            // the JDK's own trust store does not know the test's certificate
            assertThat(post(defaults, BODY, 0, 10)).contains("SSLHandshakeException").endsWith("after 5 attempts");
            assertThat(bodies).hasSize(2);
        } finally {
            server.stop(0);
        }
    }
}
