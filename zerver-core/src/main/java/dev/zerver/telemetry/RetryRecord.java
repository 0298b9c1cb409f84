package dev.zerver.telemetry;

/**
 * One retry of an effect.
 *
 * @param attempt the attempt about to be made (2 for the first retry)
 * @param reason the failure that caused it, e.g. {@code timeout} or {@code io_error}
 * @param backoffNanos the wait before the attempt
 * @param atNanos when the retry was decided
 */
public record RetryRecord(int attempt, String reason, long backoffNanos, long atNanos) {}
