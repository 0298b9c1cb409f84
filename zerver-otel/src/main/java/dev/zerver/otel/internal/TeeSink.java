package dev.zerver.otel.internal;

/**
 * {@code OTEL_TRACES_EXPORTER=otlp,console}: each batch is printed as timelines, then sent over
 * OTLP. The OTLP send decides the outcome (what is counted as delivered or lost); printing cannot
 * fail in a way worth counting.
 */
final class TeeSink implements TraceSink {
    private static final Outcome IGNORED = new Outcome() {
        @Override
        public void delivered(int traces, int spans) {}

        @Override
        public void failed(int traces, int spans, String why) {}
    };

    private final TraceSink primary;
    private final TraceSink console;

    TeeSink(TraceSink primary, TraceSink console) {
        this.primary = primary;
        this.console = console;
    }

    @Override
    public void add(Trace trace) {
        console.add(trace);
        primary.add(trace);
    }

    @Override
    public void send(int traces, int spans, Outcome outcome) {
        console.send(traces, spans, IGNORED);
        primary.send(traces, spans, outcome);
    }

    @Override
    public boolean awaitIdle(long timeoutNanos) {
        return console.awaitIdle(timeoutNanos) && primary.awaitIdle(timeoutNanos);
    }

    @Override
    public void shutdown() {
        console.shutdown();
        primary.shutdown();
    }
}
