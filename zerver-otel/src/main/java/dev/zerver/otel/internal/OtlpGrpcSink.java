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
final class OtlpGrpcSink extends EncodingSink<OtlpProtoEncoder> {
    private static final String METHOD = "opentelemetry.proto.collector.trace.v1.TraceService/Export";

    private final String target;
    private final OtlpGrpcClient client;
    private final Duration timeout;

    OtlpGrpcSink(String endpoint, Supplier<OtlpProtoEncoder> encoders, int maxInFlight, Map<String, String> headers,
            boolean gzip, Duration timeout) {
        super(maxInFlight, encoders);
        Map<String, List<String>> metadata = new java.util.LinkedHashMap<>();
        headers.forEach((k, v) -> metadata.put(k, List.of(v)));
        Map<String, List<String>> fixed = Map.copyOf(metadata);
        this.target = endpoint;
        this.client = new OtlpGrpcClient(URI.create(endpoint), METHOD, () -> fixed, gzip ? "gzip" : null,
                "zerver-otlp-grpc");
        this.timeout = timeout;
    }

    @Override
    void ship(OtlpProtoEncoder encoded, int traces, int spans, Outcome outcome) {
        Message message = new Message(encoded.buffer(), encoded.offset(), encoded.length());
        client.call(message, System.nanoTime() + timeout.toNanos(), RetryBackoff.MAX_ATTEMPTS, (status, answer, attempts) -> {
            release(encoded);
            if (status.isOk()) {
                outcome.delivered(traces, spans);
            } else {
                outcome.failed(traces, spans, "OTLP/gRPC export to " + target + " failed: " + status.getCode()
                        + (status.getDescription() == null ? "" : " " + status.getDescription()) + " after " + attempts
                        + " attempt" + (attempts == 1 ? "" : "s"));
            }
        });
    }

    @Override
    public void shutdown() {
        client.shutdown();
    }
}
