package dev.zerver.otel.internal;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One OTLP/gRPC method at one endpoint, on grpc-java over its shaded Netty (so it never meets the
 * server's Netty): unary calls whose message is bytes already encoded, retried on the codes the
 * OTLP specification calls transient ({@link RetryBackoff}) within a deadline. Shared by the trace
 * sink and the metrics exporter's sender.
 */
final class OtlpGrpcClient {
    private static final Set<Status.Code> RETRYABLE = Set.of(Status.Code.CANCELLED, Status.Code.DEADLINE_EXCEEDED,
            Status.Code.RESOURCE_EXHAUSTED, Status.Code.ABORTED, Status.Code.OUT_OF_RANGE, Status.Code.UNAVAILABLE,
            Status.Code.DATA_LOSS);

    private static final Status SHUT_DOWN = Status.UNAVAILABLE.withDescription("exporter shut down");

    /** A message as a view of a byte array: no copy on the way out. */
    record Message(byte[] bytes, int offset, int length) {}

    /** How a call ended: its last status, the answer's bytes (empty unless OK), the attempts made. */
    interface Done {
        void closed(Status status, byte[] answer, int attempts);
    }

    private static final MethodDescriptor.Marshaller<Message> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(Message m) {
            return new ByteArrayInputStream(m.bytes(), m.offset(), m.length());
        }

        @Override
        public Message parse(InputStream stream) {
            try {
                byte[] b = stream.readAllBytes();
                return new Message(b, 0, b.length);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private final ManagedChannel channel;
    private final MethodDescriptor<Message, Message> method;
    private final Supplier<Map<String, List<String>>> headers;
    private final String compression;
    private final ScheduledExecutorService retries;
    private final WaitingRetries waitingRetries = new WaitingRetries();
    private volatile boolean shutdown;

    /**
     * @param fullMethod "package.Service/Method"
     * @param compression {@code gzip} or null
     */
    OtlpGrpcClient(URI endpoint, String fullMethod, Supplier<Map<String, List<String>>> headers, String compression,
            String threadName) {
        boolean tls = "https".equals(endpoint.getScheme());
        int port = endpoint.getPort() > 0 ? endpoint.getPort() : (tls ? 443 : 4317);
        NettyChannelBuilder builder = NettyChannelBuilder.forAddress(endpoint.getHost(), port);
        if (tls) {
            builder.useTransportSecurity();
        } else {
            builder.usePlaintext();
        }
        this.channel = builder.build();
        this.method = MethodDescriptor.newBuilder(BYTES, BYTES).setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(fullMethod).build();
        this.headers = headers;
        this.compression = compression;
        this.retries = Executors.newSingleThreadScheduledExecutor(OtlpHttpPost.daemon(threadName + "-retry"));
    }

    /** Calls with {@code message}, at most {@code maxAttempts} times before {@code deadline} ({@link System#nanoTime()}). */
    void call(Message message, long deadline, int maxAttempts, Done done) {
        attempt(message, deadline, Math.min(maxAttempts, RetryBackoff.MAX_ATTEMPTS), 1, done);
    }

    private void attempt(Message message, long deadline, int maxAttempts, int attempt, Done done) {
        CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(Math.max(1, deadline - System.nanoTime()),
                TimeUnit.NANOSECONDS);
        if (compression != null) {
            options = options.withCompression(compression); // gzip: built into grpc-java
        }
        Metadata metadata = new Metadata();
        headers.get().forEach((k, values) -> values.forEach(
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
                if (!status.isOk() && RETRYABLE.contains(status.getCode()) && attempt < maxAttempts && !shutdown
                        && left > 0) {
                    long delay = Math.min(RetryBackoff.after(attempt).toNanos(), left);
                    waitingRetries.schedule(retry -> retries.schedule(retry, delay, TimeUnit.NANOSECONDS),
                            () -> attempt(message, deadline, maxAttempts, attempt + 1, done),
                            () -> done.closed(SHUT_DOWN, new byte[0], attempt));
                    return;
                }
                done.closed(status, answer, attempt);
            }
        }, metadata);
        call.request(1);
        call.sendMessage(message);
        call.halfClose();
    }

    /**
     * Calls waiting for a retry end at once with status {@code UNAVAILABLE: exporter shut down}; a
     * call on the wire gets a second to end, then is cancelled. Every call has ended when this
     * returns, unless that took longer than another second.
     */
    void shutdown() {
        shutdown = true;
        retries.shutdownNow(); // the retries it held are never run: ended below
        waitingRetries.giveUpAll();
        channel.shutdown();
        try {
            if (!channel.awaitTermination(1, TimeUnit.SECONDS)) {
                channel.shutdownNow(); // a collector that does not answer: its calls end CANCELLED
                channel.awaitTermination(1, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            channel.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** Calls waiting for their retry's time now (for tests). */
    int waitingToRetry() {
        return waitingRetries.size();
    }
}
