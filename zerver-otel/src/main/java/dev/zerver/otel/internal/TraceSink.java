package dev.zerver.otel.internal;

/**
 * Where the export thread hands assembled traces, one at a time, and then says when the batch they
 * make is complete: an OTLP sender (protobuf or JSON over HTTP, protobuf over gRPC), the console
 * timeline, or a user's {@code SpanExporter}.
 *
 * <p>Called on the export thread only. {@link #add} must be done reading the trace when it
 * returns (it is reused for the next request): the OTLP sinks encode it there and then. After
 * {@link #send}, delivery may finish later, on another thread, and then reports through the
 * {@link Outcome}. A sink bounds how many batches it keeps in flight by blocking in {@code add}
 * (when it starts a batch) while that many are unfinished.
 */
interface TraceSink {
    /** How a send ended: after success, or after the sink gave up (its retries spent). */
    interface Outcome {
        void delivered(int traces, int spans);

        void failed(int traces, int spans, String why);
    }

    /** Adds a trace to the batch being built. If it throws, the trace is not in the batch; the rest is. */
    void add(Trace trace);

    /** Sends the batch {@link #add} built since the last send: {@code traces} traces, {@code spans} spans. */
    void send(int traces, int spans, Outcome outcome);

    /** Waits up to {@code timeoutNanos} for the sends in flight to finish; returns whether they did. */
    boolean awaitIdle(long timeoutNanos);

    /** Stops: abandons what is still in flight after {@link #awaitIdle}. */
    void shutdown();

    /** Whether the exporter is for a person at a terminal (batches promptly). */
    default boolean interactive() {
        return false;
    }
}
