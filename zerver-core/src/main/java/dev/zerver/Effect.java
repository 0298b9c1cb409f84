package dev.zerver;

import java.time.Duration;
import java.util.Objects;

/**
 * A declared piece of I/O: what to do ({@link #request()}, interpreted by the effect handler
 * registered for its type) and how: the slot its result goes into, whether the request needs
 * it, its per-attempt timeout and its retry policy. Immutable; the {@code into}, {@code
 * required}, {@code timeout} and {@code retry} methods return changed copies.
 *
 * <p>Built-in families provide factories (for example {@code Db.get("blog_post", id)}); a custom
 * effect is {@code Effect.of(EffectKind.OTHER, "send", "mailer", new SendMail(...))} plus a
 * registered handler for {@code SendMail}.
 */
public final class Effect {
    private final EffectKind kind;
    private final String operation;
    private final String target;
    private final Object request;
    private final Slot<?> slot;
    private final boolean required;
    private final Duration timeout;
    private final RetryPolicy retry;

    private Effect(EffectKind kind, String operation, String target, Object request, Slot<?> slot, boolean required,
            Duration timeout, RetryPolicy retry) {
        this.kind = kind;
        this.operation = operation;
        this.target = target;
        this.request = request;
        this.slot = slot;
        this.required = required;
        this.timeout = timeout;
        this.retry = retry;
    }

    /**
     * A new effect: required, no timeout, no retry, result discarded until {@link #into} names a slot.
     *
     * @param operation lowercase verb, e.g. {@code get}, {@code query}
     * @param target low-cardinality name: a table, cache namespace or declared service name,
     *     never a raw URL, key or id
     * @param request what the handler executes
     */
    public static Effect of(EffectKind kind, String operation, String target, Object request) {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(request, "request");
        if (!isLowercaseWord(operation)) {
            throw new IllegalArgumentException("effect operation must be a lowercase word, got '" + operation + "'");
        }
        if (target == null || target.isBlank() || target.length() > 100 || target.contains(" ")) {
            throw new IllegalArgumentException("effect target must be a short name without spaces, got '" + target + "'");
        }
        return new Effect(kind, operation, target, request, null, true, Duration.ZERO, RetryPolicy.none());
    }

    /** {@code [a-z][a-z0-9_]*}, without a regular expression: effects are made on every request. */
    private static boolean isLowercaseWord(String s) {
        if (s == null || s.isEmpty() || s.charAt(0) < 'a' || s.charAt(0) > 'z') {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_')) {
                return false;
            }
        }
        return true;
    }

    /** The result goes into this slot (converted to its type). */
    public Effect into(Slot<?> destination) {
        return new Effect(kind, operation, target, request, Objects.requireNonNull(destination, "slot"), required,
                timeout, retry);
    }

    /** Whether the request needs this effect: a required failure fails the join. Default true. */
    public Effect required(boolean value) {
        return new Effect(kind, operation, target, request, slot, value, timeout, retry);
    }

    /** Same as {@code required(false)}: a failure leaves the slot empty and the request goes on. */
    public Effect optional() {
        return required(false);
    }

    /** A per-attempt timeout; an attempt that exceeds it fails with error type {@code timeout}. Zero means none. */
    public Effect timeout(Duration value) {
        if (value == null || value.isNegative()) {
            throw new IllegalArgumentException("effect timeout must be >= 0, got " + value);
        }
        return new Effect(kind, operation, target, request, slot, required, value, retry);
    }

    public Effect retry(RetryPolicy policy) {
        return new Effect(kind, operation, target, request, slot, required, timeout, Objects.requireNonNull(policy));
    }

    public EffectKind kind() {
        return kind;
    }

    public String operation() {
        return operation;
    }

    public String target() {
        return target;
    }

    public Object request() {
        return request;
    }

    /** The destination slot, or null. */
    public Slot<?> slot() {
        return slot;
    }

    public boolean isRequired() {
        return required;
    }

    public Duration timeout() {
        return timeout;
    }

    public RetryPolicy retryPolicy() {
        return retry;
    }

    /** {@code {family}.{operation} {target}}, e.g. {@code db.get blog_post}. */
    public String displayName() {
        return kind.value() + "." + operation + " " + target;
    }

    @Override
    public String toString() {
        return displayName();
    }
}
