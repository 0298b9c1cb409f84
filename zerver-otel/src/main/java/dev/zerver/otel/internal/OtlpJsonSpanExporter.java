package dev.zerver.otel.internal;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Logger;
import java.util.zip.GZIPOutputStream;

/**
 * OTLP/HTTP with the JSON encoding ({@code OTEL_EXPORTER_OTLP_PROTOCOL=http/json}), which the
 * OpenTelemetry Java SDK does not offer. Sends on the calling thread (the export queue's own).
 *
 * <p>Retries, as the OTLP specification asks: on 429, 502, 503, 504 and transport errors, up to
 * five attempts with exponential backoff (1 s, x1.5, at most 5 s, with jitter), or after the
 * server's {@code Retry-After} (seconds or an HTTP date) when it sends one; never past the
 * export timeout.
 */
public final class OtlpJsonSpanExporter implements SpanExporter {
    private static final Logger LOG = Logger.getLogger(OtlpJsonSpanExporter.class.getName());
    static final int MAX_ATTEMPTS = 5;

    /** How the exporter waits between attempts; tests replace it. */
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private final URI endpoint;
    private final Map<String, String> headers;
    private final boolean gzip;
    private final Duration timeout;
    private final HttpClient client;
    private final Sleeper sleeper;
    private volatile boolean shutdown;

    public OtlpJsonSpanExporter(String endpoint, Map<String, String> headers, boolean gzip, Duration timeout, Sleeper sleeper) {
        this.endpoint = URI.create(endpoint);
        this.headers = Map.copyOf(headers);
        this.gzip = gzip;
        this.timeout = timeout;
        this.sleeper = sleeper;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
    }

    public OtlpJsonSpanExporter(String endpoint, Map<String, String> headers, boolean gzip, Duration timeout) {
        this(endpoint, headers, gzip, timeout, d -> Thread.sleep(d.toMillis()));
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
        if (shutdown) {
            return CompletableResultCode.ofFailure();
        }
        byte[] body = OtlpJsonEncoder.encode(spans);
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint).timeout(timeout)
                .header("content-type", "application/json");
        headers.forEach(request::header);
        if (gzip) {
            request.header("content-encoding", "gzip");
            body = gzip(body);
        }
        request.POST(HttpRequest.BodyPublishers.ofByteArray(body));
        long deadline = System.nanoTime() + timeout.toNanos();
        Duration backoff = Duration.ofSeconds(1);
        for (int attempt = 1; ; attempt++) {
            Duration wait;
            String problem;
            try {
                HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
                int status = response.statusCode();
                if (status >= 200 && status < 300) {
                    return CompletableResultCode.ofSuccess();
                }
                problem = "status " + status;
                if (!retryable(status)) {
                    LOG.warning("zerver: OTLP/JSON export to " + endpoint + " refused: " + problem);
                    return CompletableResultCode.ofFailure();
                }
                wait = retryAfter(response.headers().firstValue("retry-after").orElse(null));
            } catch (IOException e) {
                problem = e.getClass().getSimpleName();
                wait = null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return CompletableResultCode.ofFailure();
            }
            if (wait == null) {
                wait = Duration.ofMillis((long) (backoff.toMillis() * ThreadLocalRandom.current().nextDouble(0.8, 1.2)));
                backoff = min(Duration.ofMillis((long) (backoff.toMillis() * 1.5)), Duration.ofSeconds(5));
            }
            long left = deadline - System.nanoTime();
            if (attempt >= MAX_ATTEMPTS || shutdown || left <= 0) {
                LOG.warning("zerver: OTLP/JSON export to " + endpoint + " failed after " + attempt + " attempts: " + problem);
                return CompletableResultCode.ofFailure();
            }
            try {
                sleeper.sleep(min(wait, Duration.ofNanos(left)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return CompletableResultCode.ofFailure();
            }
        }
    }

    static boolean retryable(int status) {
        return status == 429 || status == 502 || status == 503 || status == 504;
    }

    /** A {@code Retry-After} value: delay seconds or an HTTP date; null when absent or unreadable. */
    static Duration retryAfter(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(v)));
        } catch (NumberFormatException notSeconds) {
            try {
                Duration d = Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME));
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException notDate) {
                return null;
            }
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static byte[] gzip(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length / 4 + 64);
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    @Override
    public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
        shutdown = true;
        return CompletableResultCode.ofSuccess();
    }
}
