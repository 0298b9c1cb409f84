package dev.zerver.otel.internal;

import dev.zerver.otel.internal.GrpcCalls.Message;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.GrpcResponse;
import io.opentelemetry.sdk.common.export.GrpcSender;
import io.opentelemetry.sdk.common.export.GrpcSenderConfig;
import io.opentelemetry.sdk.common.export.GrpcSenderProvider;
import io.opentelemetry.sdk.common.export.GrpcStatusCode;
import io.opentelemetry.sdk.common.export.MessageWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The OpenTelemetry SDK's gRPC sender SPI on grpc-java (shaded Netty), so that the SDK's own OTLP
 * gRPC exporters (metrics here) need neither OkHttp nor a second gRPC stack. Transient codes are
 * retried by the rules of {@link RetryBackoff} when the exporter has a retry policy.
 */
final class GrpcJavaSender implements GrpcSender {
    /** Hands the SDK this sender whatever else is on the class path. */
    static final GrpcSenderProvider PROVIDER = GrpcJavaSender::new;

    private final ManagedChannel channel;
    private final MethodDescriptor<Message, Message> method;
    private final GrpcSenderConfig config;
    private final ScheduledExecutorService retries;
    private volatile boolean shutdown;

    private GrpcJavaSender(GrpcSenderConfig config) {
        this.config = config;
        this.channel = GrpcCalls.channel(config.getEndpoint());
        this.method = GrpcCalls.unary(config.getFullMethodName());
        this.retries = Executors.newSingleThreadScheduledExecutor(OtlpHttpSink.daemon("zerver-otlp-grpc-metrics-retry"));
    }

    @Override
    public void send(MessageWriter writer, Consumer<GrpcResponse> onResponse, Consumer<Throwable> onError) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(32, writer.getContentLength()));
        try {
            writer.writeMessage(out);
        } catch (IOException | RuntimeException e) {
            onError.accept(e);
            return;
        }
        Message message = new Message(out.toByteArray(), out.size());
        attempt(message, onResponse, 1, System.nanoTime() + config.getTimeout().toNanos());
    }

    private void attempt(Message message, Consumer<GrpcResponse> onResponse, int attempt, long deadline) {
        CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(Math.max(1, deadline - System.nanoTime()),
                TimeUnit.NANOSECONDS);
        if (config.getCompressor() != null) {
            options = options.withCompression(config.getCompressor().getEncoding()); // gzip: built into grpc-java
        }
        Metadata metadata = new Metadata();
        Map<String, List<String>> headers = config.getHeadersSupplier().get();
        headers.forEach((k, values) -> values.forEach(
                v -> metadata.put(Metadata.Key.of(k, Metadata.ASCII_STRING_MARSHALLER), v)));
        ClientCall<Message, Message> call = channel.newCall(method, options);
        call.start(new ClientCall.Listener<>() {
            private byte[] answer = new byte[0];

            @Override
            public void onMessage(Message m) {
                answer = m.bytes();
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
                long left = deadline - System.nanoTime();
                int attempts = config.getRetryPolicy() == null ? 1
                        : Math.min(config.getRetryPolicy().getMaxAttempts(), RetryBackoff.MAX_ATTEMPTS);
                if (!status.isOk() && GrpcCalls.RETRYABLE.contains(status.getCode()) && attempt < attempts && !shutdown
                        && left > 0) {
                    retries.schedule(() -> attempt(message, onResponse, attempt + 1, deadline),
                            Math.min(RetryBackoff.after(attempt).toNanos(), left), TimeUnit.NANOSECONDS);
                    return;
                }
                onResponse.accept(response(status, answer));
            }
        }, metadata);
        call.request(1);
        call.sendMessage(message);
        call.halfClose();
    }

    private static GrpcResponse response(Status status, byte[] body) {
        GrpcStatusCode code = GrpcStatusCode.fromValue(status.getCode().value());
        String description = status.getDescription() != null ? status.getDescription()
                : status.getCause() != null ? status.getCause().toString() : "";
        return new GrpcResponse() {
            @Override
            public GrpcStatusCode getStatusCode() {
                return code;
            }

            @Override
            public String getStatusDescription() {
                return description;
            }

            @Override
            public byte[] getResponseMessage() {
                return body;
            }
        };
    }

    @Override
    public CompletableResultCode shutdown() {
        shutdown = true;
        retries.shutdownNow();
        channel.shutdown();
        return CompletableResultCode.ofSuccess();
    }
}
