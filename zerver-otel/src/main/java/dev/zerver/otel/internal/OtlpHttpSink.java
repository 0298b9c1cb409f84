package dev.zerver.otel.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.zip.GZIPOutputStream;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.client5.http.async.methods.SimpleRequestProducer;
import org.apache.hc.client5.http.async.methods.SimpleResponseConsumer;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.util.Timeout;

/**
 * OTLP/HTTP ({@code http/protobuf} or {@code http/json}): encodes each batch into one of a few
 * reusable slots and posts it asynchronously with Apache HttpClient 5 (one I/O thread, keep-alive
 * connections, no retries of its own), so that the export thread encodes the next batch while
 * earlier ones are on the wire. At most {@code maxInFlight} requests
 * are outstanding; a slot returns when its request succeeded or its retries are spent.
 *
 * <p>Retries as the OTLP specification asks ({@link RetryBackoff}): on 429, 502, 503, 504 and
 * transport errors, honouring {@code Retry-After}, within the export timeout.
 */
final class OtlpHttpSink implements TraceSink {
    /** Schedules a retry after a delay; tests replace it to run at once and record the waits. */
    interface RetryTimer {
        void schedule(Runnable retry, Duration after);
    }

    private final URI endpoint;
    private final String contentType;
    private final Map<String, String> headers;
    private final boolean gzip;
    private final Duration timeout;
    private final ContentType type;
    private final RequestConfig requestConfig;
    private final CloseableHttpAsyncClient client;
    private final ScheduledExecutorService retryThread;
    private final RetryTimer timer;
    private final InFlight<Slot> slots;
    private volatile boolean shutdown;

    /** One reusable encoder and, with gzip, a reusable compression buffer. */
    private static final class Slot {
        final BatchEncoder encoder;
        final ByteArrayOutputStream compressed = new ByteArrayOutputStream(4096);

        Slot(BatchEncoder encoder) {
            this.encoder = encoder;
        }
    }

    OtlpHttpSink(String endpoint, String contentType, Supplier<BatchEncoder> encoders, int maxInFlight,
            Map<String, String> headers, boolean gzip, Duration timeout, RetryTimer timer) {
        this.endpoint = URI.create(endpoint);
        this.contentType = contentType;
        this.headers = Map.copyOf(headers);
        this.gzip = gzip;
        this.timeout = timeout;
        this.slots = new InFlight<>(maxInFlight, () -> new Slot(encoders.get()));
        // Completions run on the client's one I/O thread: they only count and return a slot.
        this.type = ContentType.create(contentType);
        this.requestConfig = RequestConfig.custom().setResponseTimeout(Timeout.ofMilliseconds(timeout.toMillis())).build();
        this.client = HttpAsyncClients.custom()
                .setConnectionManager(PoolingAsyncClientConnectionManagerBuilder.create()
                        .setMaxConnPerRoute(maxInFlight).setMaxConnTotal(maxInFlight)
                        .setDefaultConnectionConfig(ConnectionConfig.custom()
                                .setConnectTimeout(Timeout.ofMilliseconds(timeout.toMillis())).build())
                        .build())
                .setIOReactorConfig(IOReactorConfig.custom().setIoThreadCount(1).build())
                .setThreadFactory(daemon("zerver-otlp-http"))
                .disableAutomaticRetries() // the OTLP rules below decide, and count
                .disableContentCompression()
                .build();
        this.client.start();
        if (timer == null) {
            this.retryThread = Executors.newSingleThreadScheduledExecutor(daemon("zerver-otlp-retry"));
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

    @Override
    public void send(Trace[] traces, int count, int spans, Outcome outcome) {
        Slot slot = slots.take();
        if (slot == null) {
            outcome.failed(count, spans, "interrupted");
            return;
        }
        SimpleHttpRequest request;
        try {
            int length = slot.encoder.encode(traces, count);
            SimpleRequestBuilder b = SimpleRequestBuilder.post(endpoint).setRequestConfig(requestConfig);
            headers.forEach(b::addHeader);
            byte[] body;
            if (gzip) {
                slot.compressed.reset();
                try (GZIPOutputStream z = new GZIPOutputStream(slot.compressed)) {
                    z.write(slot.encoder.buffer(), 0, length);
                }
                b.addHeader("content-encoding", "gzip");
                body = slot.compressed.toByteArray();
            } else {
                body = Arrays.copyOf(slot.encoder.buffer(), length);
            }
            request = b.setBody(body, type).build();
        } catch (IOException | RuntimeException e) {
            slots.release(slot);
            outcome.failed(count, spans, "could not encode: " + e);
            return;
        }
        attempt(new Delivery(slot, request, count, spans, outcome, System.nanoTime() + timeout.toNanos()), 1);
    }

    private record Delivery(Slot slot, SimpleHttpRequest request, int traces, int spans, Outcome outcome, long deadline) {}

    private void attempt(Delivery d, int attempt) {
        if (shutdown) {
            finish(d, "exporter shut down");
            return;
        }
        client.execute(SimpleRequestProducer.create(d.request()), SimpleResponseConsumer.create(), new FutureCallback<>() {
            @Override
            public void completed(SimpleHttpResponse response) {
                int status = response.getCode();
                if (status >= 200 && status < 300) {
                    slots.release(d.slot());
                    d.outcome().delivered(d.traces(), d.spans());
                    return;
                }
                if (!RetryBackoff.retryableStatus(status)) {
                    finish(d, "status " + status + " (not retryable)");
                    return;
                }
                Header retryAfter = response.getFirstHeader("retry-after");
                retryOrFinish(d, attempt, "status " + status, RetryBackoff.retryAfter(retryAfter == null ? null : retryAfter.getValue()));
            }

            @Override
            public void failed(Exception e) {
                retryOrFinish(d, attempt, e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()),
                        null);
            }

            @Override
            public void cancelled() {
                finish(d, "cancelled");
            }
        });
    }

    private void retryOrFinish(Delivery d, int attempt, String problem, Duration wait) {
        if (wait == null) {
            wait = RetryBackoff.after(attempt);
        }
        long left = d.deadline() - System.nanoTime();
        if (attempt >= RetryBackoff.MAX_ATTEMPTS || shutdown || left <= 0) {
            finish(d, problem + " after " + attempt + " attempt" + (attempt == 1 ? "" : "s"));
            return;
        }
        Duration delay = wait.toNanos() < left ? wait : Duration.ofNanos(left);
        timer.schedule(() -> attempt(d, attempt + 1), delay);
    }

    private void finish(Delivery d, String why) {
        slots.release(d.slot());
        d.outcome().failed(d.traces(), d.spans(), "OTLP export to " + endpoint + " failed: " + why);
    }

    @Override
    public boolean awaitIdle(long timeoutNanos) {
        return slots.awaitIdle(timeoutNanos);
    }

    @Override
    public void shutdown() {
        shutdown = true;
        if (retryThread != null) {
            retryThread.shutdownNow();
        }
        client.close(CloseMode.GRACEFUL);
    }

}
