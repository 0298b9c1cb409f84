package dev.zerver.effects.http;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.async.methods.SimpleRequestProducer;
import org.apache.hc.client5.http.async.methods.SimpleResponseConsumer;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManager;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.util.Timeout;

/**
 * The client under {@link HttpEffects}: Apache HttpClient 5's asynchronous client on one I/O
 * reactor thread with pooled keep-alive connections, so the thread count does not grow with the
 * calls in flight. Completions run on the reactor thread: they only settle the effect. It replaced
 * the JDK's {@code HttpClient}, which cost about twice the CPU per call on the blog's post page
 * (see bench/README.md). No retries or decompression of its own: retries are the effect's policy.
 */
final class ApacheTransport implements AutoCloseable {
    /** Called once with the status and body, or with the error. */
    interface Completion {
        void done(int status, byte[] body, Throwable error);
    }
    private final CloseableHttpAsyncClient client;

    /** {@code maxPerPeer}: pooled connections per host and port. */
    ApacheTransport(Duration connectTimeout, int maxPerPeer) {
        PoolingAsyncClientConnectionManager pool = PoolingAsyncClientConnectionManagerBuilder.create()
                .setMaxConnPerRoute(maxPerPeer).setMaxConnTotal(Math.max(maxPerPeer, 256))
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.ofMilliseconds(connectTimeout.toMillis())).build())
                .build();
        client = HttpAsyncClients.custom().setConnectionManager(pool)
                .setIOReactorConfig(IOReactorConfig.custom().setIoThreadCount(1).build())
                .disableAutomaticRetries() // retries are the effect's policy, recorded as such
                .disableContentCompression()
                .disableCookieManagement() // one client serves every user: a cookie must not pass between them
                .disableRedirectHandling() // a redirect is the peer's answer, recorded as such
                .disableAuthCaching()
                .build();
        client.start();
    }

    /**
     * Sends one request; {@code headers} holds name/value pairs, {@code timeout} bounds the wait
     * for the response's data.
     *
     * @return cancels the exchange (a no-op once it completed)
     */
    Runnable send(String method, URI uri, List<String[]> headers, byte[] body, Duration timeout,
            Completion done) {
        SimpleRequestBuilder rb = SimpleRequestBuilder.create(method).setUri(uri)
                .setRequestConfig(RequestConfig.custom().setResponseTimeout(Timeout.ofMilliseconds(timeout.toMillis()))
                        .build());
        for (String[] h : headers) {
            rb.addHeader(h[0], h[1]);
        }
        if (body != null) {
            rb.setBody(body, ContentType.APPLICATION_OCTET_STREAM);
        }
        SimpleHttpRequest request = rb.build();
        Future<SimpleHttpResponse> inFlight = client.execute(SimpleRequestProducer.create(request),
                SimpleResponseConsumer.create(), new FutureCallback<>() {
                    @Override
                    public void completed(SimpleHttpResponse response) {
                        done.done(response.getCode(), response.getBodyBytes() == null ? new byte[0] : response.getBodyBytes(),
                                null);
                    }

                    @Override
                    public void failed(Exception e) {
                        done.done(0, null, e);
                    }

                    @Override
                    public void cancelled() {
                        done.done(0, null, new java.util.concurrent.CancellationException("cancelled"));
                    }
                });
        return () -> inFlight.cancel(true);
    }

    @Override
    public void close() {
        client.close(CloseMode.GRACEFUL);
        try {
            client.awaitShutdown(org.apache.hc.core5.util.TimeValue.of(1, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
