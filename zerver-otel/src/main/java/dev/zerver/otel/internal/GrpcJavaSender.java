package dev.zerver.otel.internal;

import dev.zerver.otel.internal.OtlpGrpcClient.Message;
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
import java.util.function.Consumer;

/**
 * The OpenTelemetry SDK's gRPC sender SPI on grpc-java (shaded Netty), so that the SDK's own OTLP
 * gRPC exporters (metrics here) need neither OkHttp nor a second gRPC stack. Transient codes are
 * retried ({@link OtlpGrpcClient}) when the exporter has a retry policy.
 */
final class GrpcJavaSender implements GrpcSender {
    /** Hands the SDK this sender whatever else is on the class path. */
    static final GrpcSenderProvider PROVIDER = GrpcJavaSender::new;

    private final GrpcSenderConfig config;
    private final OtlpGrpcClient client;

    private GrpcJavaSender(GrpcSenderConfig config) {
        this.config = config;
        this.client = new OtlpGrpcClient(config.getEndpoint(), config.getFullMethodName(), config.getHeadersSupplier(),
                config.getCompressor() == null ? null : config.getCompressor().getEncoding(), "zerver-otlp-grpc-metrics");
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
        int attempts = config.getRetryPolicy() == null ? 1 : config.getRetryPolicy().getMaxAttempts();
        client.call(new Message(out.toByteArray(), 0, out.size()), System.nanoTime() + config.getTimeout().toNanos(), attempts,
                (status, answer, made) -> onResponse.accept(response(status, answer)));
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
        client.shutdown();
        return CompletableResultCode.ofSuccess();
    }
}
