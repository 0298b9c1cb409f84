package dev.zerver.otel.internal;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * One keep-alive HTTP/1.1 connection that posts a body and reads the status of the answer: what
 * the OTLP/HTTP sender needs and nothing more (no redirects, cookies, proxies or content
 * decoding). Blocking, used by one thread at a time; {@link #close} may come from another thread
 * to abort a post that overran its deadline.
 */
final class PostConnection implements Closeable {
    /** What the sender acts on in an answer; {@code keepAlive}: the connection can carry another post. */
    record Answer(int status, String retryAfter, boolean keepAlive) {}

    /** An answer's body above this is not read: the connection is closed instead. */
    private static final long MAX_BODY = 1 << 20;
    private static final int MAX_LINE = 8192;
    private static final int MAX_HEADERS = 100;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    /** Whether anything of the current answer has arrived: a reused connection that fails before that was closed by the peer while idle. */
    private boolean answered;

    private PostConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 8192);
        this.out = socket.getOutputStream();
    }

    /** Connects to {@code endpoint} ({@code http} or {@code https}, verified against the host name). */
    static PostConnection open(URI endpoint, SSLSocketFactory tls, int connectTimeoutMillis) throws IOException {
        String host = hostOf(endpoint);
        int port = portOf(endpoint);
        Socket plain = new Socket();
        try {
            plain.setTcpNoDelay(true);
            plain.connect(new InetSocketAddress(host, port), connectTimeoutMillis);
            if (!"https".equals(endpoint.getScheme())) {
                return new PostConnection(plain);
            }
            plain.setSoTimeout(connectTimeoutMillis);
            SSLSocket secure = (SSLSocket) tls.createSocket(plain, host, port, true);
            SSLParameters params = secure.getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS");
            secure.setSSLParameters(params);
            secure.startHandshake();
            return new PostConnection(secure);
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    private static String hostOf(URI endpoint) {
        String host = endpoint.getHost();
        return host.startsWith("[") ? host.substring(1, host.length() - 1) : host; // an IPv6 literal
    }

    private static int portOf(URI endpoint) {
        return endpoint.getPort() >= 0 ? endpoint.getPort() : "https".equals(endpoint.getScheme()) ? 443 : 80;
    }

    /** Whether the last post failed before any byte of its answer arrived. */
    boolean nothingAnswered() {
        return !answered;
    }

    /**
     * Writes {@code head} and {@code body[offset .. offset + length)}, then reads the answer,
     * waiting at most {@code readTimeoutMillis} for each read.
     */
    Answer post(byte[] head, byte[] body, int offset, int length, int readTimeoutMillis) throws IOException {
        answered = false;
        socket.setSoTimeout(readTimeoutMillis);
        out.write(head);
        out.write(body, offset, length);
        out.flush();
        return readAnswer();
    }

    private Answer readAnswer() throws IOException {
        while (true) {
            String statusLine = readLine();
            // "HTTP/1.1 200 OK": the version, a space, three digits
            if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12 || statusLine.charAt(8) != ' ') {
                throw new IOException("not an HTTP/1.x answer: " + printable(statusLine));
            }
            int status = parseStatus(statusLine);
            boolean http10 = statusLine.charAt(7) == '0';
            long contentLength = -1;
            boolean chunked = false;
            String connection = null;
            String retryAfter = null;
            for (int n = 0; ; n++) {
                String line = readLine();
                if (line.isEmpty()) {
                    break;
                }
                if (n == MAX_HEADERS) {
                    throw new IOException("more than " + MAX_HEADERS + " header lines in the answer");
                }
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    throw new IOException("malformed header line in the answer: " + printable(line));
                }
                String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = line.substring(colon + 1).trim();
                switch (name) {
                    case "content-length" -> contentLength = parseLength(value);
                    case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).endsWith("chunked");
                    case "connection" -> connection = value.toLowerCase(Locale.ROOT);
                    case "retry-after" -> retryAfter = value;
                    default -> { }
                }
            }
            if (status >= 100 && status < 200) {
                if (status == 101) {
                    throw new IOException("the server switched protocols (101)");
                }
                continue; // an interim answer (100 Continue): the final one follows
            }
            boolean keepAlive = http10 ? "keep-alive".equals(connection) : !"close".equals(connection);
            if (status == 204 || status == 304) {
                return new Answer(status, retryAfter, keepAlive);
            }
            if (chunked) {
                return new Answer(status, retryAfter, skipChunked() && keepAlive);
            }
            if (contentLength >= 0) {
                return new Answer(status, retryAfter, skip(contentLength) && keepAlive);
            }
            return new Answer(status, retryAfter, false); // the body runs to the end of the connection: not read
        }
    }

    private static int parseStatus(String statusLine) throws IOException {
        int status = 0;
        for (int i = 9; i < 12; i++) {
            char c = statusLine.charAt(i);
            if (c < '0' || c > '9') {
                throw new IOException("not an HTTP/1.x answer: " + printable(statusLine));
            }
            status = status * 10 + (c - '0');
        }
        return status;
    }

    private static long parseLength(String value) throws IOException {
        try {
            long n = Long.parseLong(value);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IOException("invalid Content-Length in the answer: " + printable(value));
    }

    /** Reads past {@code n} body bytes; false (nothing read) when there are too many to be worth it. */
    private boolean skip(long n) throws IOException {
        if (n > MAX_BODY) {
            return false;
        }
        for (long left = n; left > 0; ) {
            long skipped = in.skip(left);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    throw new EOFException("the answer's body ended early");
                }
                skipped = 1;
            }
            left -= skipped;
        }
        return true;
    }

    /** Reads past a chunked body and its trailers; false when it is too long to be worth it. */
    private boolean skipChunked() throws IOException {
        long total = 0;
        while (true) {
            String line = readLine();
            int ext = line.indexOf(';');
            long size;
            try {
                size = Long.parseLong((ext < 0 ? line : line.substring(0, ext)).trim(), 16);
            } catch (NumberFormatException e) {
                throw new IOException("invalid chunk size in the answer: " + printable(line));
            }
            if (size < 0) {
                throw new IOException("invalid chunk size in the answer: " + printable(line));
            }
            if (size == 0) {
                while (!readLine().isEmpty()) {
                    // trailers: ignored
                }
                return true;
            }
            total += size;
            if (!skip(size) || total > MAX_BODY) {
                return false;
            }
            if (!readLine().isEmpty()) {
                throw new IOException("a chunk of the answer did not end where its size said");
            }
        }
    }

    /** One line without its CRLF (or bare LF), as Latin-1. */
    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder(64);
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException(answered ? "the answer ended early" : "the connection closed before an answer");
            }
            answered = true;
            if (b == '\n') {
                int end = line.length();
                if (end > 0 && line.charAt(end - 1) == '\r') {
                    line.setLength(end - 1);
                }
                return line.toString();
            }
            if (line.length() == MAX_LINE) {
                throw new IOException("a line of the answer is longer than " + MAX_LINE + " bytes");
            }
            line.append((char) b);
        }
    }

    private static String printable(String s) {
        String cut = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return '"' + cut.replaceAll("\\p{Cntrl}", "?") + '"';
    }

    /** The request head: {@code prefix} (request line and fixed headers) and the body's length. */
    static byte[] head(byte[] prefix, int contentLength) {
        byte[] length = ("Content-Length: " + contentLength + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] head = new byte[prefix.length + length.length];
        System.arraycopy(prefix, 0, head, 0, prefix.length);
        System.arraycopy(length, 0, head, prefix.length, length.length);
        return head;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing: nothing left to do
        }
    }
}
