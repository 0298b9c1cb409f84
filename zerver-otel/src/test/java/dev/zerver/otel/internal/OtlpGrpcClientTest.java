package dev.zerver.otel.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerver.otel.OtlpReceiver;
import dev.zerver.otel.StalledCollector;
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

    private static OtlpGrpcClient client(String endpoint) {
        return new OtlpGrpcClient(URI.create(endpoint),
                "opentelemetry.proto.collector.trace.v1.TraceService/Export", Map::of, null, "test-grpc");
    }

    /** Exports an empty request, up to 5 attempts within {@code seconds}; the future hears how it ended. */
    private static CompletableFuture<Ended> export(OtlpGrpcClient client, int seconds) {
        byte[] bytes = ExportTraceServiceRequest.getDefaultInstance().toByteArray();
        CompletableFuture<Ended> ended = new CompletableFuture<>();
        client.call(new OtlpGrpcClient.Message(bytes, 0, bytes.length), System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds),
                5, (status, answer, attempts) -> ended.complete(new Ended(status, attempts)));
        return ended;
    }

    @Test
    void aRefusedCallIsRetriedUntilTheReceiverTakesIt() throws Exception {
        try (OtlpReceiver receiver = OtlpReceiver.grpc()) {
            receiver.failNext.set(1);
            OtlpGrpcClient client = client(receiver.endpoint());
            Ended e = export(client, 30).get(30, TimeUnit.SECONDS);
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
            OtlpGrpcClient client = client(receiver.endpoint());
            CompletableFuture<Ended> ended = export(client, 60);
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

    /** A collector that takes the connection and never answers: shutting down still ends the call. */
    @Test
    void shuttingDownEndsACallANonAnsweringCollectorHolds() throws Exception {
        try (StalledCollector stalled = new StalledCollector()) {
            OtlpGrpcClient client = client("http://127.0.0.1:" + stalled.port());
            CompletableFuture<Ended> ended = export(client, 120);
            for (int i = 0; i < 2000 && stalled.connections() == 0; i++) { // the call's connection is open
                Thread.sleep(10);
            }
            assertThat(stalled.connections()).isPositive();
            client.shutdown();
            assertThat(ended).as("ended by the time shutdown returns").isDone();
            assertThat(ended.get().status().isOk()).isFalse();
        }
    }
}
