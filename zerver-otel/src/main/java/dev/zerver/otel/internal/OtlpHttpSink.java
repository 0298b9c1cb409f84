package dev.zerver.otel.internal;

import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;

/**
 * OTLP/HTTP traces ({@code http/protobuf} or {@code http/json}): each batch, encoded as its traces
 * arrive, is posted asynchronously ({@link OtlpHttpPost}), so that the export thread encodes the
 * next batch while earlier ones are on the wire.
 */
final class OtlpHttpSink extends EncodingSink<BatchEncoder> {
    private final OtlpHttpPost post;

    /** {@code timer}: where retries wait, null for a thread of the sink's own. */
    OtlpHttpSink(String endpoint, String contentType, Supplier<BatchEncoder> encoders, int maxInFlight,
            Map<String, String> headers, boolean gzip, Duration timeout, OtlpHttpPost.RetryTimer timer) {
        super(maxInFlight, encoders);
        this.post = new OtlpHttpPost(endpoint, contentType, headers, gzip, timeout, maxInFlight, "zerver-otlp-http", timer);
    }

    @Override
    void ship(BatchEncoder encoded, int traces, int spans, Outcome outcome) {
        // The encoder goes back when the post ends, retries included: that bounds the posts in flight.
        post.post(encoded.buffer(), encoded.offset(), encoded.length(), new OtlpHttpPost.Result() {
            @Override
            public void delivered() {
                release(encoded);
                outcome.delivered(traces, spans);
            }

            @Override
            public void failed(String why) {
                release(encoded);
                outcome.failed(traces, spans, why);
            }
        });
    }

    @Override
    public void shutdown() {
        post.close();
    }
}
