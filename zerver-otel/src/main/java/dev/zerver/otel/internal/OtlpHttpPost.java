package dev.zerver.otel.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.async.methods.SimpleResponseConsumer;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.nio.AsyncEntityProducer;
import org.apache.hc.core5.http.nio.DataStreamChannel;
import org.apache.hc.core5.http.nio.support.BasicRequestProducer;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.util.Timeout;

/**
 * Posts OTLP/HTTP bodies (traces or metrics, protobuf or JSON) to one endpoint with Apache
 * HttpClient 5: one I/O thread, keep-alive connections, and the OTLP specification's retries
 * ({@link RetryBackoff}: 429, 502, 503, 504 and transport errors, honouring {@code Retry-After},
 * within the timeout) instead of the client's own. Completions run on the I/O thread.
 */
final class OtlpHttpPost implements AutoCloseable {
    /** Schedules a retry after a delay; tests replace it to run at once and record the waits. */
    interface RetryTimer {
        void schedule(Runnable retry, Duration after);
    }

    /** How one post ended, told once. */
    interface Result {
        void delivered();

        void failed(String why);
    }

    private final URI endpoint;
    private final ContentType type;
    private final Map<String, String> headers;
    private final boolean gzip;
    private final Duration timeout;
    private final RequestConfig requestConfig;
    private final CloseableHttpAsyncClient client;
    private final ScheduledExecutorService retryThread;
    private final RetryTimer timer;
    private volatile boolean shutdown;

    /** {@code timer}: null for a thread of its own. */
    OtlpHttpPost(String endpoint, String contentType, Map<String, String> headers, boolean gzip, Duration timeout,
            int maxConnections, String threadName, RetryTimer timer) {
        this.endpoint = URI.create(endpoint);
        this.type = ContentType.create(contentType);
        this.headers = Map.copyOf(headers);
        this.gzip = gzip;
        this.timeout = timeout;
        this.requestConfig = RequestConfig.custom().setResponseTimeout(Timeout.ofMilliseconds(timeout.toMillis())).build();
        this.client = HttpAsyncClients.custom()
                .setConnectionManager(PoolingAsyncClientConnectionManagerBuilder.create()
                        .setMaxConnPerRoute(maxConnections).setMaxConnTotal(maxConnections)
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(Timeout.ofMilliseconds(timeout.toMillis())).build())
                        .build())
                .setIOReactorConfig(IOReactorConfig.custom().setIoThreadCount(1).build())
                .setThreadFactory(daemon(threadName))
                .disableAutomaticRetries() // the OTLP rules below decide, and count
                .disableContentCompression()
                .disableCookieManagement()
                .disableRedirectHandling()
                .disableAuthCaching()
                .build();
        this.client.start();
        if (timer == null) {
            this.retryThread = Executors.newSingleThreadScheduledExecutor(daemon(threadName + "-retry"));
            this.timer = (retry, after) -> retryThread.schedule(retry, after.toNanos(), TimeUnit.NANOSECONDS);
        } else {
            this.retryThread = null;
            this.timer = timer;
        }
    }

    static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Posts {@code body[offset .. offset + length)} (gzipped when so configured); {@code result}
     * hears once how it ended. The bytes are read in place, not copied: the caller keeps them
     * unchanged until then (retries read them again).
     */
    void post(byte[] body, int offset, int length, Result result) {
        SimpleHttpRequest request;
        Body content;
        try {
            SimpleRequestBuilder b = SimpleRequestBuilder.post(endpoint).setRequestConfig(requestConfig);
            headers.forEach(b::addHeader);
            if (gzip) {
                ByteArrayOutputStream compressed = new ByteArrayOutputStream(length / 4 + 64);
                try (GZIPOutputStream z = new GZIPOutputStream(compressed)) {
                    z.write(body, offset, length);
                }
                b.addHeader("content-encoding", "gzip");
                byte[] bytes = compressed.toByteArray();
                content = new Body(bytes, 0, bytes.length, type.toString());
            } else {
                content = new Body(body, offset, length, type.toString());
            }
            request = b.build();
        } catch (IOException | RuntimeException e) {
            result.failed("could not prepare the request: " + e);
            return;
        }
        attempt(request, content, result, 1, System.nanoTime() + timeout.toNanos());
    }

    /** A request body read in place from a slice of an array; each attempt reads it from its start. */
    private record Body(byte[] bytes, int offset, int length, String contentType) {
        AsyncEntityProducer producer() {
            ByteBuffer left = ByteBuffer.wrap(bytes, offset, length);
            return new AsyncEntityProducer() {
                @Override
                public boolean isRepeatable() {
                    return false; // a retry makes a new producer
                }

                @Override
                public void failed(Exception cause) {}

                @Override
                public long getContentLength() {
                    return length;
                }

                @Override
                public String getContentType() {
                    return contentType;
                }

                @Override
                public String getContentEncoding() {
                    return null;
                }

                @Override
                public boolean isChunked() {
                    return false;
                }

                @Override
                public Set<String> getTrailerNames() {
                    return null;
                }

                @Override
                public int available() {
                    return left.remaining();
                }

                @Override
                public void produce(DataStreamChannel channel) throws IOException {
                    if (left.hasRemaining()) {
                        channel.write(left);
                    }
                    if (!left.hasRemaining()) {
                        channel.endStream();
                    }
                }

                @Override
                public void releaseResources() {}
            };
        }
    }

    private void attempt(SimpleHttpRequest request, Body content, Result result, int attempt, long deadline) {
        if (shutdown) {
            finish(result, "exporter shut down");
            return;
        }
        client.execute(new BasicRequestProducer(request, content.producer()), SimpleResponseConsumer.create(), new FutureCallback<>() {
            @Override
            public void completed(SimpleHttpResponse response) {
                int status = response.getCode();
                if (status >= 200 && status < 300) {
                    result.delivered();
                } else if (!RetryBackoff.retryableStatus(status)) {
                    finish(result, "status " + status + " (not retryable)");
                } else {
                    Header retryAfter = response.getFirstHeader("retry-after");
                    retryOrFinish(request, content, result, attempt, deadline, "status " + status,
                            RetryBackoff.retryAfter(retryAfter == null ? null : retryAfter.getValue()));
                }
            }

            @Override
            public void failed(Exception e) {
                retryOrFinish(request, content, result, attempt, deadline,
                        e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()), null);
            }

            @Override
            public void cancelled() {
                finish(result, "cancelled");
            }
        });
    }

    private void retryOrFinish(SimpleHttpRequest request, Body content, Result result, int attempt, long deadline, String problem,
            Duration wait) {
        if (wait == null) {
            wait = RetryBackoff.after(attempt);
        }
        long left = deadline - System.nanoTime();
        if (attempt >= RetryBackoff.MAX_ATTEMPTS || shutdown || left <= 0) {
            finish(result, problem + " after " + attempt + " attempt" + (attempt == 1 ? "" : "s"));
            return;
        }
        Duration delay = wait.toNanos() < left ? wait : Duration.ofNanos(left);
        timer.schedule(() -> attempt(request, content, result, attempt + 1, deadline), delay);
    }

    private void finish(Result result, String why) {
        result.failed("OTLP export to " + endpoint + " failed: " + why);
    }

    @Override
    public void close() {
        shutdown = true;
        if (retryThread != null) {
            retryThread.shutdownNow();
        }
        client.close(CloseMode.GRACEFUL);
    }
}
