package dev.zerver.otel.internal;

import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

/**
 * OTLP/HTTP traces ({@code http/protobuf} or {@code http/json}): encodes each batch into one of a
 * few reusable encoders and posts it asynchronously ({@link OtlpHttpPost}), so that the export
 * thread encodes the next batch while earlier ones are on the wire. At most {@code maxInFlight}
 * requests are outstanding; an encoder returns when its request succeeded or its retries are spent.
 */
final class OtlpHttpSink implements TraceSink {
    private final OtlpHttpPost post;
    private final InFlight<BatchEncoder> slots;

    /** {@code timer}: where retries wait, null for a thread of the sink's own. */
    OtlpHttpSink(String endpoint, String contentType, Supplier<BatchEncoder> encoders, int maxInFlight,
            Map<String, String> headers, boolean gzip, Duration timeout, OtlpHttpPost.RetryTimer timer) {
        this.slots = new InFlight<>(maxInFlight, encoders);
        this.post = new OtlpHttpPost(endpoint, contentType, headers, gzip, timeout, maxInFlight, "zerver-otlp-http", timer);
    }

    @Override
    public void send(Trace[] traces, int count, int spans, Outcome outcome) {
        BatchEncoder encoder = slots.take();
        if (encoder == null) {
            outcome.failed(count, spans, "interrupted");
            return;
        }
        int length;
        try {
            length = encoder.encode(traces, count);
        } catch (RuntimeException e) {
            slots.release(encoder);
            outcome.failed(count, spans, "could not encode: " + e);
            return;
        }
        // The post copies the bytes before it returns: the encoder may go back at once when it ends.
        post.post(encoder.buffer(), length, new OtlpHttpPost.Result() {
            @Override
            public void delivered() {
                slots.release(encoder);
                outcome.delivered(count, spans);
            }

            @Override
            public void failed(String why) {
                slots.release(encoder);
                outcome.failed(count, spans, why);
            }
        });
    }

    @Override
    public boolean awaitIdle(long timeoutNanos) {
        return slots.awaitIdle(timeoutNanos);
    }

    @Override
    public void shutdown() {
        post.close();
    }
}
