package dev.zerver.telemetry;

/**
 * Which W3C headers the runtime takes from a request and passes on with its outgoing HTTP effects.
 * A {@link RecordListener} that also implements this interface (the OpenTelemetry module's does,
 * from {@code OTEL_PROPAGATORS}) decides; without one, both are.
 */
public interface Propagation {
    /**
     * {@code traceparent}: a request continues its caller's trace, and each HTTP effect sends its
     * own span as the parent. When false, every request starts a trace and sends none.
     */
    boolean traceContext();

    /** {@code baggage}: the caller's baggage is kept for the request and sent on with its HTTP effects. */
    boolean baggage();

    /** Both W3C headers: the OpenTelemetry default {@code tracecontext,baggage}. */
    Propagation W3C = new Propagation() {
        @Override
        public boolean traceContext() {
            return true;
        }

        @Override
        public boolean baggage() {
            return true;
        }
    };
}
