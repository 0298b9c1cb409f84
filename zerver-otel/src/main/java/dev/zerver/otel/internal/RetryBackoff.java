package dev.zerver.otel.internal;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The OTLP specification's retry rules, shared by the HTTP and gRPC senders: at most five
 * attempts, exponential backoff from 1 s (x1.5, at most 5 s, with jitter) unless the server says
 * when ({@code Retry-After}), never past the export timeout.
 */
final class RetryBackoff {
    static final int MAX_ATTEMPTS = 5;

    private RetryBackoff() {}

    /** The wait before attempt {@code attempt + 1} (attempts count from 1) when the server named none. */
    static Duration after(int attempt) {
        double base = 1000 * Math.pow(1.5, attempt - 1);
        long ms = (long) (Math.min(base, 5000) * ThreadLocalRandom.current().nextDouble(0.8, 1.2));
        return Duration.ofMillis(ms);
    }

    static boolean retryableStatus(int status) {
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
}
