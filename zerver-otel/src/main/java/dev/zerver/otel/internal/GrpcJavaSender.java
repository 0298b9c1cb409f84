package dev.zerver.otel.internal;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.GrpcResponse;
import io.opentelemetry.sdk.common.export.GrpcSender;
import io.opentelemetry.sdk.common.export.GrpcSenderConfig;
import io.opentelemetry.sdk.common.export.GrpcStatusCode;
import io.opentelemetry.sdk.common.export.MessageWriter;
import io.opentelemetry.sdk.common.export.RetryPolicy;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The OpenTelemetry SDK's OTLP/gRPC exporter sends through this: grpc-java over its shaded Netty,
 * messages passed as the bytes the SDK serialized. Retries the codes the OTLP specification calls
 * transient, with the exporter's retry policy (exponential backoff with jitter).
 */
final class GrpcJavaSender implements GrpcSender {
    private static final Set<Status.Code> RETRYABLE = Set.of(Status.Code.CANCELLED, Status.Code.DEADLINE_EXCEEDED,
            Status.Code.RESOURCE_EXHAUSTED, Status.Code.ABORTED, Status.Code.OUT_OF_RANGE, Status.Code.UNAVAILABLE,
            Status.Code.DATA_LOSS);

    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private final GrpcSenderConfig config;
    private final ManagedChannel channel;
    private final MethodDescriptor<byte[], byte[]> method;
    private final ScheduledExecutorService retries;

    GrpcJavaSender(GrpcSenderConfig config) {
        this.config = config;
        URI endpoint = config.getEndpoint();
        int port = endpoint.getPort() > 0 ? endpoint.getPort() : ("https".equals(endpoint.getScheme()) ? 443 : 4317);
        NettyChannelBuilder channelBuilder = NettyChannelBuilder.forAddress(endpoint.getHost(), port);
        if ("https".equals(endpoint.getScheme())) {
            channelBuilder.useTransportSecurity();
        } else {
            channelBuilder.usePlaintext();
        }
        this.channel = channelBuilder.build();
        this.method = MethodDescriptor.newBuilder(BYTES, BYTES)
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(config.getFullMethodName())
                .build();
        this.retries = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "zerver-otlp-grpc-retry");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void send(MessageWriter writer, Consumer<GrpcResponse> onResponse, Consumer<Throwable> onError) {
        byte[] message;
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(32, writer.getContentLength()));
            writer.writeMessage(out);
            message = out.toByteArray();
        } catch (IOException e) {
            onError.accept(e);
            return;
        }
        attempt(message, 1, initialBackoffNanos(), onResponse, onError);
    }

    private void attempt(byte[] message, int attempt, long backoffNanos, Consumer<GrpcResponse> onResponse,
            Consumer<Throwable> onError) {
        CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(config.getTimeout().toNanos(), TimeUnit.NANOSECONDS);
        if (config.getCompressor() != null) {
            options = options.withCompression(config.getCompressor().getEncoding());
        }
        ClientCall<byte[], byte[]> call = channel.newCall(method, options);
        Metadata headers = new Metadata();
        Map<String, List<String>> configured = config.getHeadersSupplier() == null ? Map.of() : config.getHeadersSupplier().get();
        configured.forEach((k, values) -> values.forEach(v ->
                headers.put(Metadata.Key.of(k, Metadata.ASCII_STRING_MARSHALLER), v)));
        byte[][] answer = new byte[1][];
        call.start(new ClientCall.Listener<>() {
            @Override
            public void onMessage(byte[] m) {
                answer[0] = m;
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
                RetryPolicy policy = config.getRetryPolicy();
                if (!status.isOk() && RETRYABLE.contains(status.getCode()) && policy != null
                        && attempt < policy.getMaxAttempts()) {
                    long wait = (long) (backoffNanos * ThreadLocalRandom.current().nextDouble(0.8, 1.2));
                    long next = Math.min((long) (backoffNanos * policy.getBackoffMultiplier()), policy.getMaxBackoff().toNanos());
                    retries.schedule(() -> attempt(message, attempt + 1, next, onResponse, onError), wait, TimeUnit.NANOSECONDS);
                    return;
                }
                String description = status.getDescription() == null ? "" : status.getDescription();
                byte[] body = answer[0] == null ? new byte[0] : answer[0];
                onResponse.accept(new Response(GrpcStatusCode.fromValue(status.getCode().value()), description, body));
            }
        }, headers);
        call.request(1);
        call.sendMessage(message);
        call.halfClose();
    }

    private long initialBackoffNanos() {
        RetryPolicy policy = config.getRetryPolicy();
        return policy == null ? 0 : policy.getInitialBackoff().toNanos();
    }

    @Override
    public CompletableResultCode shutdown() {
        retries.shutdownNow();
        channel.shutdown();
        return CompletableResultCode.ofSuccess();
    }

    private record Response(GrpcStatusCode statusCode, String statusDescription, byte[] responseMessage)
            implements GrpcResponse {
        @Override
        public GrpcStatusCode getStatusCode() {
            return statusCode;
        }

        @Override
        public String getStatusDescription() {
            return statusDescription;
        }

        @Override
        public byte[] getResponseMessage() {
            return responseMessage;
        }
    }
}
