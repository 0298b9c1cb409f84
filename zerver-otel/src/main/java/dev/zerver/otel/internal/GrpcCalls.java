package dev.zerver.otel.internal;

import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Set;

/**
 * What both OTLP/gRPC senders share (the trace sink and the metrics exporter's sender): unary
 * calls whose message is bytes already encoded, a plaintext or TLS channel from an OTLP endpoint
 * URL, and the status codes the OTLP specification calls transient.
 */
final class GrpcCalls {
    static final Set<Status.Code> RETRYABLE = Set.of(Status.Code.CANCELLED, Status.Code.DEADLINE_EXCEEDED,
            Status.Code.RESOURCE_EXHAUSTED, Status.Code.ABORTED, Status.Code.OUT_OF_RANGE, Status.Code.UNAVAILABLE,
            Status.Code.DATA_LOSS);

    /** A message as a view of a byte array: no copy on the way out. */
    record Message(byte[] bytes, int length) {}

    private static final MethodDescriptor.Marshaller<Message> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(Message m) {
            return new ByteArrayInputStream(m.bytes(), 0, m.length());
        }

        @Override
        public Message parse(InputStream stream) {
            try {
                byte[] b = stream.readAllBytes();
                return new Message(b, b.length);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private GrpcCalls() {}

    /** The unary method {@code fullName} ("package.Service/Method") carrying encoded bytes both ways. */
    static MethodDescriptor<Message, Message> unary(String fullName) {
        return MethodDescriptor.newBuilder(BYTES, BYTES).setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(fullName).build();
    }

    /** A channel to the endpoint's host and port (4317 by default), TLS for {@code https}. */
    static ManagedChannel channel(URI endpoint) {
        boolean tls = "https".equals(endpoint.getScheme());
        int port = endpoint.getPort() > 0 ? endpoint.getPort() : (tls ? 443 : 4317);
        NettyChannelBuilder builder = NettyChannelBuilder.forAddress(endpoint.getHost(), port);
        if (tls) {
            builder.useTransportSecurity();
        } else {
            builder.usePlaintext();
        }
        return builder.build();
    }
}
