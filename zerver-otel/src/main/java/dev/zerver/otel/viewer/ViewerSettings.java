package dev.zerver.otel.viewer;

import dev.zerver.config.ConfigException;
import dev.zerver.config.Env;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of the built-in trace viewer: the same rule as every Zerver setting (the builder's
 * values, each overridden by its variable when set; a malformed value stops start-up naming it).
 * Off unless a port is given.
 */
public final class ViewerSettings {
    public static final String PORT = "ZER_VER_VIEWER_PORT";
    public static final String HOST = "ZER_VER_VIEWER_HOST";
    public static final String ALLOW_REMOTE = "ZER_VER_VIEWER_ALLOW_REMOTE";
    public static final String CAPTURE = "ZER_VER_VIEWER_CAPTURE";
    public static final String CAPTURE_BYTES = "ZER_VER_VIEWER_CAPTURE_BYTES";
    public static final String TAIL_CAPTURE = "ZER_VER_VIEWER_TAIL_CAPTURE";

    /** {@link #port()} when the viewer is off. */
    public static final int OFF = -1;

    private final int port;
    private final String host;
    private final boolean allowRemote;
    private final int capture;
    private final int captureBytes;
    private final int tailCapture;

    private ViewerSettings(Builder b) {
        port = b.port;
        host = b.host;
        allowRemote = b.allowRemote;
        capture = b.capture;
        captureBytes = b.captureBytes;
        tailCapture = b.tailCapture;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The builder's values, each overridden by its variable in {@code environment} when set.
     *
     * @throws ConfigException naming a malformed variable, or a host that is not loopback while
     *     {@code ZER_VER_VIEWER_ALLOW_REMOTE} is off
     */
    public static ViewerSettings resolve(Builder programmatic, Map<String, String> environment) {
        Env env = new Env(environment);
        Builder b = programmatic.copy();
        b.port = env.parse(PORT, b.port, ViewerSettings::port, "off, or a port number from 0 (any free port) to 65535");
        b.host = env.parse(HOST, b.host, v -> {
            if (v.isBlank()) {
                throw new IllegalArgumentException();
            }
            return v;
        }, "a host name or IP address to listen on");
        b.allowRemote = env.flag(ALLOW_REMOTE, b.allowRemote);
        b.capture = env.integer(CAPTURE, b.capture, 1, 1_000_000);
        b.captureBytes = env.bytes(CAPTURE_BYTES, b.captureBytes, 64 * 1024, Integer.MAX_VALUE);
        b.tailCapture = env.integer(TAIL_CAPTURE, b.tailCapture, 0, 1_000_000);
        ViewerSettings s = b.build();
        if (s.enabled() && !s.allowRemote && !isLoopback(s.host)) {
            throw new ConfigException(HOST, s.host,
                    "a loopback address (127.0.0.1, ::1, localhost) unless " + ALLOW_REMOTE + "=1: the viewer shows"
                            + " every captured request to whoever reaches it");
        }
        return s;
    }

    private static int port(String v) {
        if (v.equalsIgnoreCase("off")) {
            return OFF;
        }
        int p = Integer.parseInt(v);
        if (p < 0 || p > 65535) {
            throw new IllegalArgumentException();
        }
        return p;
    }

    /** Whether {@code host} names only loopback addresses (resolving a name is allowed). */
    static boolean isLoopback(String host) {
        try {
            InetAddress[] all = InetAddress.getAllByName(host);
            for (InetAddress a : all) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return all.length > 0;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    public boolean enabled() {
        return port != OFF;
    }

    /** The port to listen on; 0 for any free one; {@link #OFF}. */
    public int port() {
        return port;
    }

    public String host() {
        return host;
    }

    public boolean allowRemote() {
        return allowRemote;
    }

    /** The most finished requests kept for the viewer (the newest). */
    public int capture() {
        return capture;
    }

    /** The most memory the kept requests may hold, by an upper estimate of each record's size. */
    public int captureBytes() {
        return captureBytes;
    }

    /** Traces kept by a tail trigger, held apart so that a burst of ordinary requests does not push them out. */
    public int tailCapture() {
        return tailCapture;
    }

    /** The effective settings by variable name, for a start-up printout. */
    public Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(PORT, enabled() ? Integer.toString(port) : "off");
        if (enabled()) {
            m.put(HOST, host);
            m.put(ALLOW_REMOTE, Boolean.toString(allowRemote));
            m.put(CAPTURE, Integer.toString(capture));
            m.put(CAPTURE_BYTES, Integer.toString(captureBytes));
            m.put(TAIL_CAPTURE, Integer.toString(tailCapture));
        }
        return m;
    }

    /** Defaults: off; when on, loopback, the newest 500 requests within 32 MB, and 100 tail-kept traces. */
    public static final class Builder {
        private int port = OFF;
        private String host = "127.0.0.1";
        private boolean allowRemote;
        private int capture = 500;
        private int captureBytes = 32 * 1024 * 1024;
        private int tailCapture = 100;

        private Builder() {}

        /** {@code ZER_VER_VIEWER_PORT}: turns the viewer on; 0 picks a free port. */
        public Builder port(int value) {
            if (value < 0 || value > 65535) {
                throw new IllegalArgumentException("port must be from 0 to 65535");
            }
            port = value;
            return this;
        }

        /** {@code ZER_VER_VIEWER_HOST}: loopback unless {@link #allowRemote(boolean)}. */
        public Builder host(String value) {
            host = Objects.requireNonNull(value);
            return this;
        }

        /** {@code ZER_VER_VIEWER_ALLOW_REMOTE}: permits a host that is not loopback. */
        public Builder allowRemote(boolean value) {
            allowRemote = value;
            return this;
        }

        /** {@code ZER_VER_VIEWER_CAPTURE}: the most recent requests kept. */
        public Builder capture(int requests) {
            if (requests < 1) {
                throw new IllegalArgumentException("capture must be at least 1");
            }
            capture = requests;
            return this;
        }

        /** {@code ZER_VER_VIEWER_CAPTURE_BYTES}: their memory bound. */
        public Builder captureBytes(int bytes) {
            if (bytes < 64 * 1024) {
                throw new IllegalArgumentException("captureBytes must be at least 64k");
            }
            captureBytes = bytes;
            return this;
        }

        /** {@code ZER_VER_VIEWER_TAIL_CAPTURE}: tail-kept traces held apart. */
        public Builder tailCapture(int traces) {
            if (traces < 0) {
                throw new IllegalArgumentException("tailCapture must be at least 0");
            }
            tailCapture = traces;
            return this;
        }

        Builder copy() {
            Builder c = new Builder();
            c.port = port;
            c.host = host;
            c.allowRemote = allowRemote;
            c.capture = capture;
            c.captureBytes = captureBytes;
            c.tailCapture = tailCapture;
            return c;
        }

        public ViewerSettings build() {
            return new ViewerSettings(this);
        }
    }
}
