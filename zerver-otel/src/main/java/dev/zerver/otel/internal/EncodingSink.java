package dev.zerver.otel.internal;

import java.util.function.Supplier;

/**
 * A sink that encodes each trace as it is added ({@link BatchEncoder}) and ships the encoded batch
 * when it is sent: the OTLP sinks. A few reusable encoders bound the memory and the requests in
 * flight: one batch is encoded while up to {@code maxInFlight} earlier ones are on the wire;
 * starting a batch waits while all of those are outstanding.
 */
abstract class EncodingSink<E extends BatchEncoder> implements TraceSink {
    private final InFlight<E> encoders;
    /** The encoder of the batch being built, or null between batches. */
    private E filling;

    EncodingSink(int maxInFlight, Supplier<E> encoders) {
        this.encoders = new InFlight<>(maxInFlight + 1, encoders);
    }

    @Override
    public final void add(Trace trace) {
        if (filling == null) {
            E e = encoders.take();
            if (e == null) {
                throw new IllegalStateException("interrupted while waiting for a batch in flight");
            }
            e.begin();
            filling = e;
        }
        filling.add(trace);
    }

    @Override
    public final void send(int traces, int spans, Outcome outcome) {
        E e = filling;
        filling = null;
        if (e == null) {
            outcome.failed(traces, spans, "nothing was encoded");
            return;
        }
        try {
            e.finish();
        } catch (RuntimeException ex) {
            encoders.release(e);
            outcome.failed(traces, spans, "could not encode: " + ex);
            return;
        }
        ship(e, traces, spans, outcome);
    }

    /**
     * Sends the encoded batch ({@code encoded.buffer()[offset .. offset + length)}) and reports how
     * it ended; must call {@link #release} once it no longer reads the bytes, retries included.
     */
    abstract void ship(E encoded, int traces, int spans, Outcome outcome);

    final void release(E encoder) {
        encoders.release(encoder);
    }

    @Override
    public boolean awaitIdle(long timeoutNanos) {
        return encoders.awaitIdle(timeoutNanos);
    }
}
