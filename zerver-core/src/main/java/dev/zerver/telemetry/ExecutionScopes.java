package dev.zerver.telemetry;

/**
 * Makes a request's context current on the thread that runs its code: around every step, every
 * continuation and every effect handler call, the runtime enters a scope naming the span that
 * code belongs to, and closes it when the code returns. The OpenTelemetry module uses it to make
 * that span the current OpenTelemetry {@code Context} (so spans the application or an
 * instrumented library makes nest under it) and to put {@code trace_id} / {@code span_id} in the
 * logging MDC. A {@link RecordListener} that also implements this interface is used.
 */
public interface ExecutionScopes {
    /** What {@link #enter} opened; closing it restores the thread as it was. */
    interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /** A scope that does nothing. */
    Scope NOTHING = () -> { };

    /** Does nothing: the default when no listener provides scopes. */
    ExecutionScopes NONE = (record, spanId) -> NOTHING;

    /**
     * @param record the request whose code is about to run
     * @param spanId 16 lowercase hex digits: the span of the step, continuation or effect
     */
    Scope enter(RequestRecord record, String spanId);
}
