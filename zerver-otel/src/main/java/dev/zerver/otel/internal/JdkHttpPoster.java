package dev.zerver.otel.internal;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Posts with the JDK's HTTP client (TLS included); its own work runs on one named daemon thread. */
final class JdkHttpPoster implements HttpPoster {
    private final URI endpoint;
    private final String contentType;
    private final Map<String, String> headers;
    private final Duration timeout;
    private final ExecutorService clientThread;
    private final HttpClient client;

    JdkHttpPoster(URI endpoint, String contentType, Map<String, String> headers, Duration timeout) {
        this.endpoint = endpoint;
        this.contentType = contentType;
        this.headers = Map.copyOf(headers);
        this.timeout = timeout;
        this.clientThread = Executors.newSingleThreadExecutor(OtlpHttpSink.daemon("zerver-otlp-http"));
        this.client = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1)
                .executor(clientThread).build();
    }

    @Override
    public CompletableFuture<Reply> post(byte[] body, int length, boolean gzip) {
        HttpRequest.Builder b = HttpRequest.newBuilder(endpoint).timeout(timeout).header("content-type", contentType);
        headers.forEach(b::header);
        if (gzip) {
            b.header("content-encoding", "gzip");
        }
        HttpRequest request = b.POST(HttpRequest.BodyPublishers.ofByteArray(body, 0, length)).build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).thenApply(response ->
                new Reply(response.statusCode(), response.headers().firstValue("retry-after").orElse(null)));
    }

    @Override
    public void close() {
        clientThread.shutdown();
    }
}
