package dev.zerver.otel.internal;

import dev.zerver.otel.internal.OtlpGrpcClient.Message;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * OTLP/gRPC traces: the protobuf bytes of {@link OtlpProtoEncoder}, sent as the unary
 * {@code TraceService/Export} call ({@link OtlpGrpcClient}). Like {@link OtlpHttpSink}, a few
 * reusable encoders bound what is in flight.
 */
final class OtlpGrpcSink implements TraceSink {
    private static final String METHOD = "opentelemetry.proto.collector.trace.v1.TraceService/Export";

    private final String target;
    private final OtlpGrpcClient client;
    private final Duration timeout;
    private final InFlight<OtlpProtoEncoder> slots;

    OtlpGrpcSink(String endpoint, Supplier<OtlpProtoEncoder> encoders, int maxInFlight, Map<String, String> headers,
            boolean gzip, Duration timeout) {
        Map<String, List<String>> metadata = new java.util.LinkedHashMap<>();
        headers.forEach((k, v) -> metadata.put(k, List.of(v)));
        Map<String, List<String>> fixed = Map.copyOf(metadata);
        this.target = endpoint;
        this.client = new OtlpGrpcClient(URI.create(endpoint), METHOD, () -> fixed, gzip ? "gzip" : null,
                "zerver-otlp-grpc");
        this.timeout = timeout;
        this.slots = new InFlight<>(maxInFlight, encoders);
    }

    @Override
    public void send(Trace[] traces, int count, int spans, Outcome outcome) {
        OtlpProtoEncoder encoder = slots.take();
        if (encoder == null) {
            outcome.failed(count, spans, "interrupted");
            return;
        }
        Message message;
        try {
            int length = encoder.encode(traces, count); // first: encoding may grow the buffer
            message = new Message(encoder.buffer(), length);
        } catch (RuntimeException e) {
            slots.release(encoder);
            outcome.failed(count, spans, "could not encode: " + e);
            return;
        }
        client.call(message, System.nanoTime() + timeout.toNanos(), RetryBackoff.MAX_ATTEMPTS, (status, answer, attempts) -> {
            slots.release(encoder);
            if (status.isOk()) {
                outcome.delivered(count, spans);
            } else {
                outcome.failed(count, spans, "OTLP/gRPC export to " + target + " failed: " + status.getCode()
                        + (status.getDescription() == null ? "" : " " + status.getDescription()) + " after " + attempts
                        + " attempt" + (attempts == 1 ? "" : "s"));
            }
        });
    }

    @Override
    public boolean awaitIdle(long timeoutNanos) {
        return slots.awaitIdle(timeoutNanos);
    }

    @Override
    public void shutdown() {
        client.shutdown();
    }
}
