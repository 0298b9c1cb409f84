package dev.zerver.otel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.util.JsonFormat;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;

/**
 * An OTLP/HTTP trace receiver on loopback: decodes what arrives with the official
 * {@code opentelemetry-proto} classes, as protobuf or (after turning the hex ids the OTLP JSON
 * mapping uses into protobuf-JSON base64) as JSON.
 */
public final class OtlpReceiver implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    public final List<ExportTraceServiceRequest> requests = new CopyOnWriteArrayList<>();
    public final List<String> contentTypes = new CopyOnWriteArrayList<>();
    /** Metric exports, decoded with the official classes. */
    public final List<io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest> metricRequests =
            new CopyOnWriteArrayList<>();
    /** The content type of each metric export ({@code grpc} for gRPC calls). */
    public final List<String> metricContentTypes = new CopyOnWriteArrayList<>();
    /** Trace exports to refuse next: over HTTP with {@link #failStatus}, over gRPC with {@code UNAVAILABLE}. */
    public final AtomicInteger failNext = new AtomicInteger();
    public volatile int failStatus = 503;
    public volatile String retryAfter = "0";
    private final HttpServer server;
    private final io.grpc.Server grpc;

    /** OTLP/HTTP on {@code port} (0: any free port). */
    public OtlpReceiver(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/v1/traces", this::handle);
        server.createContext("/v1/metrics", this::handleMetrics);
        server.start();
        grpc = null;
    }

    private OtlpReceiver(boolean grpcOnly) throws IOException {
        server = null;
        grpc = io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc.TraceServiceImplBase() {
                    @Override
                    public void export(ExportTraceServiceRequest request,
                            io.grpc.stub.StreamObserver<ExportTraceServiceResponse> response) {
                        contentTypes.add("grpc");
                        requests.add(request);
                        if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                            response.onError(io.grpc.Status.UNAVAILABLE.withDescription("busy").asRuntimeException());
                            return;
                        }
                        response.onNext(ExportTraceServiceResponse.getDefaultInstance());
                        response.onCompleted();
                    }
                })
                .addService(new io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc.MetricsServiceImplBase() {
                    @Override
                    public void export(io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest request,
                            io.grpc.stub.StreamObserver<io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse>
                                    response) {
                        metricContentTypes.add("grpc");
                        metricRequests.add(request);
                        response.onNext(io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse
                                .getDefaultInstance());
                        response.onCompleted();
                    }
                })
                .build()
                .start();
    }

    /** OTLP/gRPC on any free port. */
    public static OtlpReceiver grpc() throws IOException {
        return new OtlpReceiver(true);
    }

    public int port() {
        return server != null ? server.getAddress().getPort() : grpc.getPort();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port();
    }

    private void handleMetrics(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body;
            try (InputStream in = "gzip".equals(ex.getRequestHeaders().getFirst("content-encoding"))
                    ? new GZIPInputStream(ex.getRequestBody()) : ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            String type = ex.getRequestHeaders().getFirst("content-type");
            metricContentTypes.add(type);
            boolean json = type != null && type.startsWith("application/json");
            if (json) {
                var b = io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest.newBuilder();
                JsonFormat.parser().merge(JSON.writeValueAsString(hexIdsToBase64(JSON.readTree(body))), b);
                metricRequests.add(b.build());
            } else {
                metricRequests.add(io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest.parseFrom(body));
            }
            byte[] answer = json ? "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8)
                    : io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse.getDefaultInstance().toByteArray();
            ex.getResponseHeaders().add("content-type", json ? "application/json" : "application/x-protobuf");
            ex.sendResponseHeaders(200, answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                ex.getResponseBody().write(answer);
            }
        }
    }

    /** Every metric received, by name (the points of repeated exports together). */
    public java.util.Map<String, List<io.opentelemetry.proto.metrics.v1.Metric>> metrics() {
        java.util.Map<String, List<io.opentelemetry.proto.metrics.v1.Metric>> out = new java.util.TreeMap<>();
        for (var r : metricRequests) {
            for (var rm : r.getResourceMetricsList()) {
                for (var sm : rm.getScopeMetricsList()) {
                    for (var m : sm.getMetricsList()) {
                        out.computeIfAbsent(m.getName(), k -> new ArrayList<>()).add(m);
                    }
                }
            }
        }
        return out;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                if (retryAfter != null) {
                    ex.getResponseHeaders().add("retry-after", retryAfter);
                }
                ex.sendResponseHeaders(failStatus, -1);
                return;
            }
            byte[] body;
            try (InputStream in = "gzip".equals(ex.getRequestHeaders().getFirst("content-encoding"))
                    ? new GZIPInputStream(ex.getRequestBody()) : ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            String type = ex.getRequestHeaders().getFirst("content-type");
            contentTypes.add(type);
            ExportTraceServiceRequest request;
            if (type != null && type.startsWith("application/json")) {
                request = decodeJson(body);
            } else {
                request = ExportTraceServiceRequest.parseFrom(body);
            }
            requests.add(request);
            byte[] answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
            ex.getResponseHeaders().add("content-type", type == null ? "application/x-protobuf" : type);
            if (type != null && type.startsWith("application/json")) {
                answer = "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            }
            ex.sendResponseHeaders(200, answer.length);
            ex.getResponseBody().write(answer);
        } catch (RuntimeException e) {
            ex.sendResponseHeaders(400, -1);
            throw e;
        }
    }

    /** An OTLP/JSON request body, decoded by protobuf's own JSON parser into the official classes. */
    public static ExportTraceServiceRequest decodeJson(byte[] body) throws IOException {
        ExportTraceServiceRequest.Builder b = ExportTraceServiceRequest.newBuilder();
        JsonFormat.parser().merge(JSON.writeValueAsString(hexIdsToBase64(JSON.readTree(body))), b);
        return b.build();
    }

    /** OTLP JSON carries ids as hex; protobuf's JSON mapping expects base64 for bytes fields. */
    private static JsonNode hexIdsToBase64(JsonNode node) {
        if (node.isObject()) {
            ObjectNode o = (ObjectNode) node;
            for (String field : List.of("traceId", "spanId", "parentSpanId")) {
                JsonNode v = o.get(field);
                if (v != null && v.isTextual()) {
                    o.put(field, Base64.getEncoder().encodeToString(HexFormat.of().parseHex(v.asText())));
                }
            }
            o.properties().forEach(e -> hexIdsToBase64(e.getValue()));
        } else if (node.isArray()) {
            node.forEach(OtlpReceiver::hexIdsToBase64);
        }
        return node;
    }

    /** Every span received so far. */
    public List<Span> spans() {
        List<Span> out = new ArrayList<>();
        for (ExportTraceServiceRequest r : requests) {
            for (ResourceSpans rs : r.getResourceSpansList()) {
                for (ScopeSpans ss : rs.getScopeSpansList()) {
                    out.addAll(ss.getSpansList());
                }
            }
        }
        return out;
    }

    public static String hex(com.google.protobuf.ByteString id) {
        return HexFormat.of().formatHex(id.toByteArray());
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
        } else {
            grpc.shutdownNow();
        }
    }
}
