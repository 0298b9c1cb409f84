package dev.zerver.otel.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerver.otel.OtlpReceiver;
import io.grpc.Status;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The OTLP/gRPC client against a real gRPC receiver on loopback. */
class OtlpGrpcClientTest {
    private record Ended(Status status, int attempts) {}

    private static OtlpGrpcClient.Message emptyExport() {
        byte[] bytes = ExportTraceServiceRequest.getDefaultInstance().toByteArray();
        return new OtlpGrpcClient.Message(bytes, 0, bytes.length);
    }

    @Test
    void aRefusedCallIsRetriedUntilTheReceiverTakesIt() throws Exception {
        try (OtlpReceiver receiver = OtlpReceiver.grpc()) {
            receiver.failNext.set(1);
            OtlpGrpcClient client = new OtlpGrpcClient(URI.create(receiver.endpoint()),
                    "opentelemetry.proto.collector.trace.v1.TraceService/Export", Map::of, null, "test-grpc");
            CompletableFuture<Ended> ended = new CompletableFuture<>();
            client.call(emptyExport(), System.nanoTime() + TimeUnit.SECONDS.toNanos(30), 5,
                    (status, answer, attempts) -> ended.complete(new Ended(status, attempts)));
            Ended e = ended.get(30, TimeUnit.SECONDS);
            assertThat(e.status().isOk()).isTrue();
            assertThat(e.attempts()).isEqualTo(2);
            assertThat(receiver.requests).hasSize(2);
            client.shutdown();
        }
    }

    /** Nothing is left unanswered: the exporter counts what the call ends with as dropped. */
    @Test
    void shuttingDownEndsACallThatWaitsForItsRetry() throws Exception {
        try (OtlpReceiver receiver = OtlpReceiver.grpc()) {
            receiver.failNext.set(100);
            OtlpGrpcClient client = new OtlpGrpcClient(URI.create(receiver.endpoint()),
                    "opentelemetry.proto.collector.trace.v1.TraceService/Export", Map::of, null, "test-grpc");
            CompletableFuture<Ended> ended = new CompletableFuture<>();
            client.call(emptyExport(), System.nanoTime() + TimeUnit.SECONDS.toNanos(60), 5,
                    (status, answer, attempts) -> ended.complete(new Ended(status, attempts)));
            for (int i = 0; i < 2000 && client.waitingToRetry() == 0; i++) { // the first refusal arrives
                Thread.sleep(10);
            }
            assertThat(client.waitingToRetry()).isEqualTo(1);
            assertThat(ended).isNotDone();
            client.shutdown();
            Ended e = ended.get(10, TimeUnit.SECONDS);
            assertThat(e.status().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(e.status().getDescription()).isEqualTo("exporter shut down");
            assertThat(e.attempts()).isEqualTo(1);
            assertThat(receiver.requests).hasSize(1);
            assertThat(client.waitingToRetry()).isZero();
        }
    }
}
