package dev.zerver.otel.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.zip.GZIPOutputStream;

/**
 * OTLP/HTTP ({@code http/protobuf} or {@code http/json}): encodes each batch into one of a few
 * reusable slots and posts it asynchronously with the JDK's HTTP client, so that the export thread
 * encodes the next batch while earlier ones are on the wire. At most {@code maxInFlight} requests
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
    private final HttpClient client;
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
        // Completions run where they complete, on the client's selector thread: they only count and
        // return a slot. An executor thread cost a hand-off at every stage of each export.
        this.client = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1)
                .executor(Runnable::run).build();
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
        HttpRequest request;
        try {
            int length = slot.encoder.encode(traces, count);
            HttpRequest.BodyPublisher body;
            HttpRequest.Builder b = HttpRequest.newBuilder(endpoint).timeout(timeout).header("content-type", contentType);
            headers.forEach(b::header);
            if (gzip) {
                slot.compressed.reset();
                try (GZIPOutputStream z = new GZIPOutputStream(slot.compressed)) {
                    z.write(slot.encoder.buffer(), 0, length);
                }
                b.header("content-encoding", "gzip");
                body = HttpRequest.BodyPublishers.ofByteArray(slot.compressed.toByteArray());
            } else {
                body = HttpRequest.BodyPublishers.ofByteArray(slot.encoder.buffer(), 0, length);
            }
            request = b.POST(body).build();
        } catch (IOException | RuntimeException e) {
            slots.release(slot);
            outcome.failed(count, spans, "could not encode: " + e);
            return;
        }
        attempt(new Delivery(slot, request, count, spans, outcome, System.nanoTime() + timeout.toNanos()), 1);
    }

    private record Delivery(Slot slot, HttpRequest request, int traces, int spans, Outcome outcome, long deadline) {}

    private void attempt(Delivery d, int attempt) {
        if (shutdown) {
            finish(d, "exporter shut down");
            return;
        }
        client.sendAsync(d.request(), HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
            Duration wait;
            String problem;
            if (error == null) {
                int status = response.statusCode();
                if (status >= 200 && status < 300) {
                    slots.release(d.slot());
                    d.outcome().delivered(d.traces(), d.spans());
                    return;
                }
                problem = "status " + status;
                if (!RetryBackoff.retryableStatus(status)) {
                    finish(d, problem + " (not retryable)");
                    return;
                }
                wait = RetryBackoff.retryAfter(response.headers().firstValue("retry-after").orElse(null));
            } else {
                Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                problem = cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
                wait = null;
            }
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
        });
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
    }

}
