package dev.zerver.spi;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A request as a transport hands it to Zerver (the transport SPI, with {@link ResponseSink}).
 * The Netty server builds these; tests build them with {@link #builder()}.
 */
public final class InboundRequest {
    private final String method;
    private final String uri;
    private final String protocolVersion;
    private final String scheme;
    private final Map<String, List<String>> headers;
    private final byte[] body;
    private final String clientAddress;
    private final int clientPort;
    private final String localAddress;
    private final int localPort;
    private final long startNanos;

    private InboundRequest(Builder b) {
        method = b.method;
        uri = b.uri;
        protocolVersion = b.protocolVersion;
        scheme = b.scheme;
        // The builder's map, not a copy (its value lists are immutable): a builder that is used
        // again after build() copies it first, so this request never changes.
        headers = Collections.unmodifiableMap(b.headers);
        b.headersShared = true;
        body = b.body;
        clientAddress = b.clientAddress;
        clientPort = b.clientPort;
        localAddress = b.localAddress;
        localPort = b.localPort;
        startNanos = b.startNanos;
    }

    public static Builder builder() {
        return new Builder();
    }

    public String method() {
        return method;
    }

    /** The request target as sent: raw path plus optional {@code ?query}. */
    public String uri() {
        return uri;
    }

    public String protocolVersion() {
        return protocolVersion;
    }

    public String scheme() {
        return scheme;
    }

    /** Header names are lowercase. */
    public Map<String, List<String>> headers() {
        return headers;
    }

    public String header(String name) {
        List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    public byte[] body() {
        return body;
    }

    public String clientAddress() {
        return clientAddress;
    }

    public int clientPort() {
        return clientPort;
    }

    public String localAddress() {
        return localAddress;
    }

    public int localPort() {
        return localPort;
    }

    /** When the first byte was parsed, on the runtime's clock, or -1 (then: when dispatched). */
    public long startNanos() {
        return startNanos;
    }

    /** Builds an inbound request; defaults: GET /, HTTP/1.1, http, client 127.0.0.1:40000. */
    public static final class Builder {
        private String method = "GET";
        private String uri = "/";
        private String protocolVersion = "1.1";
        private String scheme = "http";
        private Map<String, List<String>> headers = new LinkedHashMap<>();
        /** Whether a built request holds {@link #headers}: the next change copies it first. */
        private boolean headersShared;
        private byte[] body = new byte[0];
        private String clientAddress = "127.0.0.1";
        private int clientPort = 40000;
        private String localAddress = "127.0.0.1";
        private int localPort = 8080;
        private long startNanos = -1;

        private Builder() {}

        public Builder method(String value) {
            method = Objects.requireNonNull(value);
            return this;
        }

        public Builder uri(String value) {
            uri = Objects.requireNonNull(value);
            return this;
        }

        public Builder protocolVersion(String value) {
            protocolVersion = Objects.requireNonNull(value);
            return this;
        }

        public Builder scheme(String value) {
            scheme = Objects.requireNonNull(value);
            return this;
        }

        /** Adds a header value (name case-insensitive). */
        public Builder header(String name, String value) {
            Objects.requireNonNull(value, "header value");
            if (headersShared) {
                headers = new LinkedHashMap<>(headers);
                headersShared = false;
            }
            // Immutable value lists, so that a built request can share them: most headers have one value.
            headers.merge(name.toLowerCase(Locale.ROOT), List.of(value), (had, one) -> {
                String[] all = had.toArray(new String[had.size() + 1]);
                all[had.size()] = value;
                return List.of(all);
            });
            return this;
        }

        public Builder body(byte[] value) {
            body = Objects.requireNonNull(value);
            return this;
        }

        public Builder body(String utf8) {
            return body(utf8.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }

        public Builder client(String address, int port) {
            clientAddress = address;
            clientPort = port;
            return this;
        }

        public Builder local(String address, int port) {
            localAddress = address;
            localPort = port;
            return this;
        }

        public Builder startNanos(long value) {
            startNanos = value;
            return this;
        }

        public InboundRequest build() {
            return new InboundRequest(this);
        }
    }
}
