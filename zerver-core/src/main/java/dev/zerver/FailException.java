package dev.zerver;

/**
 * Thrown from a step (or by {@link Ctx} helpers such as {@link Ctx#bodyJson(Class)}) to fail the
 * request as an application failure, exactly as if the step had returned the {@link #fail()}
 * decision. Any other exception is a system failure.
 */
public final class FailException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Decision.Fail fail;

    public FailException(int status, String what, String key) {
        super(status + " " + what + ": " + key, null, false, false);
        this.fail = new Decision.Fail(status, what, key);
    }

    public Decision.Fail fail() {
        return fail;
    }
}
