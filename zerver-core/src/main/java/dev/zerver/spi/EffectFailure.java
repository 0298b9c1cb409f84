package dev.zerver.spi;

import dev.zerver.telemetry.EffectRecord.FailureKind;
import java.io.IOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * A failed attempt, with its kind: {@link FailureKind#INFRASTRUCTURE} (I/O error, timeout, 5xx
 * from a peer: retried, and ERROR in traces when the effect is required) or
 * {@link FailureKind#APPLICATION} (not found, 4xx from a peer: not retried). If a required effect
 * fails, the request fails with {@link #status()}.
 */
public final class EffectFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final FailureKind kind;
    private final String type;
    private final int status;

    private EffectFailure(FailureKind kind, String type, String message, int status, Throwable cause) {
        super(message, cause, false, false);
        this.kind = kind;
        this.type = type;
        this.status = status;
    }

    /**
     * An infrastructure failure; a required effect failing this way fails the request with 500.
     *
     * @param type short machine-readable type, e.g. {@code io_error}, {@code timeout}
     */
    public static EffectFailure infrastructure(String type, String message) {
        return new EffectFailure(FailureKind.INFRASTRUCTURE, type, message, 500, null);
    }

    /**
     * An application failure; a required effect failing this way fails the request with
     * {@code status}, e.g. 404 for {@code not_found}.
     */
    public static EffectFailure application(String type, String message, int status) {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("status must be 4xx or 5xx, got " + status);
        }
        return new EffectFailure(FailureKind.APPLICATION, type, message, status, null);
    }

    /** The same failure answered with another status when it fails the request. */
    public EffectFailure withStatus(int code) {
        return new EffectFailure(kind, type, getMessage(), code, getCause());
    }

    /**
     * Classifies any throwable: an {@code EffectFailure} as itself, a timeout as
     * {@code timeout}, an {@link IOException} as {@code io_error}, anything else as an
     * infrastructure failure named after its class.
     */
    public static EffectFailure from(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
            c = c.getCause();
        }
        if (c instanceof EffectFailure f) {
            return f;
        }
        // A refused connection has no message: say what happened instead of "null".
        String message = c.getMessage() != null ? c.getMessage() : c.getClass().getSimpleName();
        String type;
        // InterruptedIOException: socket and connect timeouts of blocking and asynchronous clients alike.
        if (c instanceof TimeoutException || c instanceof java.net.http.HttpTimeoutException
                || c instanceof java.io.InterruptedIOException) {
            type = "timeout";
        } else if (c instanceof CancellationException) {
            type = "cancelled";
        } else if (c instanceof IOException) {
            type = "io_error";
        } else {
            type = c.getClass().getSimpleName();
        }
        return new EffectFailure(FailureKind.INFRASTRUCTURE, type, message, 500, c);
    }

    public FailureKind kind() {
        return kind;
    }

    public boolean isInfrastructure() {
        return kind == FailureKind.INFRASTRUCTURE;
    }

    public String type() {
        return type;
    }

    public int status() {
        return status;
    }
}
