package dev.zerver.otel.internal;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * OTLP over plain {@code http://}: one blocking HTTP/1.1 exchange per post on a persistent
 * connection, on a fixed set of sender threads (one per request in flight). The JDK's HTTP client
 * spent several times the CPU per exported byte (its body travels through a chain of asynchronous
 * stages in 16 KB pieces); a collector on loopback or in the same network needs none of that.
 *
 * <p>Speaks only what an OTLP collector answers: a status line, headers, and a body sized by
 * {@code Content-Length}, chunked, or ended by the close. A connection that the collector closed
 * while idle is replaced once, transparently; every exchange is bounded by the timeout (reads by
 * the socket's, connect and writes by closing the socket).
 */
final class PlainHttpPoster implements HttpPoster {
    private static final int MAX_LINE = 8192;
    private static final int MAX_HEADER_LINES = 100;

    private final InetSocketAddress address;
    private final byte[] head;
    private final int timeoutMillis;
    private final ExecutorService senders;
    private final ScheduledThreadPoolExecutor watchdog;
    private final ArrayDeque<Connection> idle = new ArrayDeque<>();
    private volatile boolean closed;

    PlainHttpPoster(URI endpoint, String contentType, Map<String, String> headers, Duration timeout, int senderThreads) {
        int port = endpoint.getPort() > 0 ? endpoint.getPort() : 80;
        this.address = InetSocketAddress.createUnresolved(endpoint.getHost(), port);
        this.timeoutMillis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
        String path = endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty() ? "/" : endpoint.getRawPath();
        if (endpoint.getRawQuery() != null) {
            path += "?" + endpoint.getRawQuery();
        }
        StringBuilder h = new StringBuilder(256).append("POST ").append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(endpoint.getHost()).append(endpoint.getPort() > 0 ? ":" + port : "").append("\r\n")
                .append("User-Agent: zerver-otlp\r\n")
                .append("Content-Type: ").append(contentType).append("\r\n");
        headers.forEach((name, value) -> {
            if (name.indexOf('\r') >= 0 || name.indexOf('\n') >= 0 || value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("OTLP header " + name + " holds a line break");
            }
            h.append(name).append(": ").append(value).append("\r\n");
        });
        this.head = h.toString().getBytes(StandardCharsets.ISO_8859_1);
        this.senders = Executors.newFixedThreadPool(senderThreads, OtlpHttpSink.daemon("zerver-otlp-http"));
        this.watchdog = new ScheduledThreadPoolExecutor(1, OtlpHttpSink.daemon("zerver-otlp-watchdog"));
        this.watchdog.setRemoveOnCancelPolicy(true);
    }

    @Override
    public CompletableFuture<Reply> post(byte[] body, int length, boolean gzip) {
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        try {
            senders.execute(() -> {
                try {
                    reply.complete(exchange(body, length, gzip));
                } catch (IOException | RuntimeException e) {
                    reply.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            reply.completeExceptionally(new IOException("exporter shut down"));
        }
        return reply;
    }

    private Reply exchange(byte[] body, int length, boolean gzip) throws IOException {
        Connection c = pooled();
        boolean reused = c != null;
        if (c == null) {
            c = new Connection();
        }
        try {
            return finish(c, c.exchange(body, length, gzip));
        } catch (IOException e) {
            c.close();
            if (c.timedOut) {
                throw new IOException("no answer within " + timeoutMillis + " ms", e);
            }
            if (!reused || c.answered) {
                throw e;
            }
            // The collector closed the idle connection before it read this request: once more on a new one.
            Connection fresh = new Connection();
            try {
                return finish(fresh, fresh.exchange(body, length, gzip));
            } catch (IOException again) {
                fresh.close();
                throw again;
            }
        }
    }

    private Reply finish(Connection c, Reply reply) {
        if (c.keepAlive && !closed) {
            synchronized (idle) {
                idle.push(c);
            }
        } else {
            c.close();
        }
        return reply;
    }

    private Connection pooled() {
        synchronized (idle) {
            return idle.poll();
        }
    }

    @Override
    public void close() {
        closed = true;
        senders.shutdown();
        watchdog.shutdownNow();
        synchronized (idle) {
            idle.forEach(Connection::close);
            idle.clear();
        }
    }

    /** One persistent connection to the collector. */
    private final class Connection {
        final Socket socket = new Socket();
        InputStream in;
        OutputStream out;
        boolean keepAlive;
        /** Whether any byte of a response arrived on this connection's current exchange. */
        boolean answered;
        volatile boolean timedOut;

        Reply exchange(byte[] body, int length, boolean gzip) throws IOException {
            answered = false;
            ScheduledFuture<?> deadline = watchdog.schedule(() -> {
                timedOut = true;
                close();
            }, timeoutMillis, TimeUnit.MILLISECONDS);
            try {
                if (in == null) {
                    InetSocketAddress resolved = new InetSocketAddress(address.getHostString(), address.getPort());
                    socket.connect(resolved, timeoutMillis);
                    socket.setTcpNoDelay(true);
                    socket.setSoTimeout(timeoutMillis);
                    in = new BufferedInputStream(socket.getInputStream(), 8192);
                    out = new BufferedOutputStream(socket.getOutputStream(), 8192);
                }
                out.write(head);
                out.write(("Content-Length: " + length + (gzip ? "\r\nContent-Encoding: gzip" : "") + "\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.write(body, 0, length);
                out.flush();
                return readReply();
            } finally {
                deadline.cancel(false);
            }
        }

        private Reply readReply() throws IOException {
            while (true) {
                String status = line();
                answered = true;
                if (!status.startsWith("HTTP/1.") || status.length() < 12) {
                    throw new IOException("not an HTTP/1.x response: " + status);
                }
                int code = parseStatus(status);
                boolean http11 = status.startsWith("HTTP/1.1");
                long contentLength = -1;
                boolean chunked = false;
                String connection = null;
                String retryAfter = null;
                for (int i = 0; ; i++) {
                    String h = line();
                    if (h.isEmpty()) {
                        break;
                    }
                    if (i == MAX_HEADER_LINES) {
                        throw new IOException("more than " + MAX_HEADER_LINES + " response header lines");
                    }
                    int colon = h.indexOf(':');
                    if (colon <= 0) {
                        continue;
                    }
                    String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                    String value = h.substring(colon + 1).trim();
                    switch (name) {
                        case "content-length" -> contentLength = parseLength(value);
                        case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                        case "connection" -> connection = value.toLowerCase(Locale.ROOT);
                        case "retry-after" -> retryAfter = value;
                        default -> { }
                    }
                }
                if (code >= 100 && code < 200) {
                    continue; // an interim answer; the final one follows
                }
                keepAlive = http11 ? !"close".equals(connection) : "keep-alive".equals(connection);
                if (chunked) {
                    skipChunks();
                } else if (contentLength >= 0) {
                    in.skipNBytes(contentLength);
                } else if (code != 204 && code != 304) {
                    in.transferTo(OutputStream.nullOutputStream()); // the body ends with the connection
                    keepAlive = false;
                }
                return new Reply(code, retryAfter);
            }
        }

        private void skipChunks() throws IOException {
            while (true) {
                String sizeLine = line();
                int semicolon = sizeLine.indexOf(';');
                long size = parseHex((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim());
                if (size == 0) {
                    while (!line().isEmpty()) {
                        // trailers, ignored
                    }
                    return;
                }
                in.skipNBytes(size);
                if (!line().isEmpty()) {
                    throw new IOException("malformed chunk");
                }
            }
        }

        private String line() throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream(64);
            while (true) {
                int c = in.read();
                if (c == -1) {
                    throw new IOException("connection closed by the collector");
                }
                if (c == '\n') {
                    break;
                }
                if (c != '\r') {
                    if (b.size() == MAX_LINE) {
                        throw new IOException("response line longer than " + MAX_LINE + " bytes");
                    }
                    b.write(c);
                }
            }
            return b.toString(StandardCharsets.ISO_8859_1);
        }

        void close() {
            keepAlive = false;
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing: nothing to do
            }
        }
    }

    private static int parseStatus(String status) throws IOException {
        try {
            return Integer.parseInt(status.substring(9, 12));
        } catch (NumberFormatException e) {
            throw new IOException("malformed status line: " + status);
        }
    }

    private static long parseLength(String value) throws IOException {
        try {
            long n = Long.parseLong(value);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IOException("malformed Content-Length: " + value);
        }
    }

    private static long parseHex(String value) throws IOException {
        try {
            return Long.parseLong(value, 16);
        } catch (NumberFormatException e) {
            throw new IOException("malformed chunk size: " + value);
        }
    }
}
