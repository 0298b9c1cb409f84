package dev.zerver.otel.internal;

/**
 * Where the export thread hands batches of assembled traces: an OTLP sender (protobuf or JSON
 * over HTTP, protobuf over gRPC), the console timeline, or a user's {@code SpanExporter}.
 *
 * <p>{@link #send} is called on the export thread only. It must be done reading the traces when
 * it returns (they are reused for the next batch); delivery may finish later, on another
 * thread, and then reports through the {@link Outcome}. A sink bounds how many sends it keeps in
 * flight by blocking in {@code send} while that many are unfinished.
 */
interface TraceSink {
    /** How a send ended: after success, or after the sink gave up (its retries spent). */
    interface Outcome {
        void delivered(int traces, int spans);

        void failed(int traces, int spans, String why);
    }

    void send(Trace[] traces, int count, int spans, Outcome outcome);

    /** Waits up to {@code timeoutNanos} for the sends in flight to finish; returns whether they did. */
    boolean awaitIdle(long timeoutNanos);

    /** Stops: abandons what is still in flight after {@link #awaitIdle}. */
    void shutdown();

    /** Whether the exporter is for a person at a terminal (batches promptly). */
    default boolean interactive() {
        return false;
    }
}
