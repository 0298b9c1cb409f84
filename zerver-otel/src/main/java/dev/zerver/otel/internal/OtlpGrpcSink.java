package dev.zerver.otel.internal;

import dev.zerver.otel.internal.GrpcCalls.Message;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * OTLP/gRPC: the protobuf bytes of {@link OtlpProtoEncoder}, sent as the unary
 * {@code TraceService/Export} call with grpc-java over its shaded Netty (so it never meets the
 * server's Netty). Like {@link OtlpHttpSink}, a few reusable slots bound what is in flight, and
 * the codes the OTLP specification calls transient are retried with {@link RetryBackoff}.
 */
final class OtlpGrpcSink implements TraceSink {
    private static final String METHOD = "opentelemetry.proto.collector.trace.v1.TraceService/Export";

    private final String target;
    private final ManagedChannel channel;
    private final MethodDescriptor<Message, Message> method;
    private final ScheduledExecutorService retries;
    private final Map<String, String> headers;
    private final boolean gzip;
    private final Duration timeout;
    private final InFlight<OtlpProtoEncoder> slots;
    private volatile boolean shutdown;

    OtlpGrpcSink(String endpoint, java.util.function.Supplier<OtlpProtoEncoder> encoders, int maxInFlight,
            Map<String, String> headers, boolean gzip, Duration timeout) {
        this.target = endpoint;
        this.channel = GrpcCalls.channel(URI.create(endpoint));
        this.method = GrpcCalls.unary(METHOD);
        this.retries = Executors.newSingleThreadScheduledExecutor(OtlpHttpSink.daemon("zerver-otlp-grpc-retry"));
        this.headers = Map.copyOf(headers);
        this.gzip = gzip;
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
            int length = encoder.encode(traces, count);
            message = new Message(encoder.buffer(), length);
        } catch (RuntimeException e) {
            slots.release(encoder);
            outcome.failed(count, spans, "could not encode: " + e);
            return;
        }
        attempt(encoder, message, count, spans, outcome, 1, System.nanoTime() + timeout.toNanos());
    }

    private void attempt(OtlpProtoEncoder slot, Message message, int traces, int spans, Outcome outcome, int attempt,
            long deadline) {
        CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(Math.max(1, deadline - System.nanoTime()),
                TimeUnit.NANOSECONDS);
        if (gzip) {
            options = options.withCompression("gzip");
        }
        ClientCall<Message, Message> call = channel.newCall(method, options);
        Metadata metadata = new Metadata();
        headers.forEach((k, v) -> metadata.put(Metadata.Key.of(k, Metadata.ASCII_STRING_MARSHALLER), v));
        call.start(new ClientCall.Listener<>() {
            @Override
            public void onClose(Status status, Metadata trailers) {
                if (status.isOk()) {
                    slots.release(slot);
                    outcome.delivered(traces, spans);
                    return;
                }
                long left = deadline - System.nanoTime();
                if (GrpcCalls.RETRYABLE.contains(status.getCode()) && attempt < RetryBackoff.MAX_ATTEMPTS && !shutdown && left > 0) {
                    long wait = Math.min(RetryBackoff.after(attempt).toNanos(), left);
                    retries.schedule(() -> attempt(slot, message, traces, spans, outcome, attempt + 1, deadline), wait,
                            TimeUnit.NANOSECONDS);
                    return;
                }
                slots.release(slot);
                outcome.failed(traces, spans, "OTLP/gRPC export to " + target + " failed: " + status.getCode()
                        + (status.getDescription() == null ? "" : " " + status.getDescription()) + " after " + attempt
                        + " attempt" + (attempt == 1 ? "" : "s"));
            }
        }, metadata);
        call.request(1);
        call.sendMessage(message);
        call.halfClose();
    }

    @Override
    public boolean awaitIdle(long timeoutNanos) {
        return slots.awaitIdle(timeoutNanos);
    }

    @Override
    public void shutdown() {
        shutdown = true;
        retries.shutdownNow();
        channel.shutdown();
    }
}
