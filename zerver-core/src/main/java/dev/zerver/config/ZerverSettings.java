package dev.zerver.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The server and runtime settings. Set them on the builder; every one can be overridden by its
 * environment variable, and the environment wins.
 *
 * <table>
 * <caption>Variables</caption>
 * <tr><th>variable</th><th>default</th></tr>
 * <tr><td>{@code ZER_VER_HOST}</td><td>{@code 127.0.0.1}</td></tr>
 * <tr><td>{@code ZER_VER_PORT}</td><td>{@code 8080} ({@code 0}: any free port)</td></tr>
 * <tr><td>{@code ZER_VER_STEP_WORKERS}</td><td>number of cores</td></tr>
 * <tr><td>{@code ZER_VER_EFFECT_WORKERS}</td><td>4 x cores</td></tr>
 * <tr><td>{@code ZER_VER_STEP_QUEUE_CAPACITY}</td><td>{@code 1024}</td></tr>
 * <tr><td>{@code ZER_VER_EFFECT_QUEUE_CAPACITY}</td><td>{@code 4096}</td></tr>
 * <tr><td>{@code ZER_VER_QUEUE_NAME_CONT}</td><td>{@code continuations}</td></tr>
 * <tr><td>{@code ZER_VER_QUEUE_NAME_EFFECTS}</td><td>{@code effects}</td></tr>
 * <tr><td>{@code ZER_VER_MAX_BODY_BYTES}</td><td>{@code 1m}</td></tr>
 * <tr><td>{@code ZER_VER_MAX_HEADER_BYTES}</td><td>{@code 8k}</td></tr>
 * <tr><td>{@code ZER_VER_IDLE_TIMEOUT}</td><td>{@code 60s}</td></tr>
 * <tr><td>{@code ZER_VER_HEADER_TIMEOUT}</td><td>{@code 10s}</td></tr>
 * <tr><td>{@code ZER_VER_MIN_BODY_RATE}</td><td>{@code 1k} bytes per second ({@code 0}: no minimum)</td></tr>
 * <tr><td>{@code ZER_VER_MAX_CONNECTIONS}</td><td>{@code 10000}</td></tr>
 * <tr><td>{@code ZER_VER_REQUEST_TIMEOUT}</td><td>{@code 30s}</td></tr>
 * <tr><td>{@code ZER_VER_SHUTDOWN_GRACE}</td><td>{@code 10s}</td></tr>
 * <tr><td>{@code ZER_VER_CIRCUIT_FAILURES}</td><td>{@code 5} ({@code 0}: no circuit breakers)</td></tr>
 * <tr><td>{@code ZER_VER_CIRCUIT_OPEN}</td><td>{@code 10s}</td></tr>
 * <tr><td>{@code ZER_VER_FIRST_STEP_ON_EVENT_LOOP}</td><td>{@code false}</td></tr>
 * </table>
 */
public final class ZerverSettings {
    public static final String HOST = "ZER_VER_HOST";
    public static final String PORT = "ZER_VER_PORT";
    public static final String STEP_WORKERS = "ZER_VER_STEP_WORKERS";
    public static final String EFFECT_WORKERS = "ZER_VER_EFFECT_WORKERS";
    public static final String STEP_QUEUE_CAPACITY = "ZER_VER_STEP_QUEUE_CAPACITY";
    public static final String EFFECT_QUEUE_CAPACITY = "ZER_VER_EFFECT_QUEUE_CAPACITY";
    public static final String QUEUE_NAME_CONT = "ZER_VER_QUEUE_NAME_CONT";
    public static final String QUEUE_NAME_EFFECTS = "ZER_VER_QUEUE_NAME_EFFECTS";
    public static final String MAX_BODY_BYTES = "ZER_VER_MAX_BODY_BYTES";
    public static final String MAX_HEADER_BYTES = "ZER_VER_MAX_HEADER_BYTES";
    public static final String IDLE_TIMEOUT = "ZER_VER_IDLE_TIMEOUT";
    public static final String HEADER_TIMEOUT = "ZER_VER_HEADER_TIMEOUT";
    public static final String MIN_BODY_RATE = "ZER_VER_MIN_BODY_RATE";
    public static final String MAX_CONNECTIONS = "ZER_VER_MAX_CONNECTIONS";
    public static final String REQUEST_TIMEOUT = "ZER_VER_REQUEST_TIMEOUT";
    public static final String SHUTDOWN_GRACE = "ZER_VER_SHUTDOWN_GRACE";
    public static final String CIRCUIT_FAILURES = "ZER_VER_CIRCUIT_FAILURES";
    public static final String CIRCUIT_OPEN = "ZER_VER_CIRCUIT_OPEN";
    public static final String FIRST_STEP_ON_EVENT_LOOP = "ZER_VER_FIRST_STEP_ON_EVENT_LOOP";

    private final String host;
    private final int port;
    private final int stepWorkers;
    private final int effectWorkers;
    private final int stepQueueCapacity;
    private final int effectQueueCapacity;
    private final String continuationQueue;
    private final String effectQueue;
    private final int maxBodyBytes;
    private final int maxHeaderBytes;
    private final Duration idleTimeout;
    private final Duration headerTimeout;
    private final int minBodyRate;
    private final int maxConnections;
    private final Duration requestTimeout;
    private final Duration shutdownGrace;
    private final int circuitFailures;
    private final Duration circuitOpen;
    private final boolean firstStepOnEventLoop;

    private ZerverSettings(Builder b) {
        host = b.host;
        port = b.port;
        stepWorkers = b.stepWorkers;
        effectWorkers = b.effectWorkers;
        stepQueueCapacity = b.stepQueueCapacity;
        effectQueueCapacity = b.effectQueueCapacity;
        continuationQueue = b.continuationQueue;
        effectQueue = b.effectQueue;
        maxBodyBytes = b.maxBodyBytes;
        maxHeaderBytes = b.maxHeaderBytes;
        idleTimeout = b.idleTimeout;
        headerTimeout = b.headerTimeout;
        minBodyRate = b.minBodyRate;
        maxConnections = b.maxConnections;
        requestTimeout = b.requestTimeout;
        shutdownGrace = b.shutdownGrace;
        circuitFailures = b.circuitFailures;
        circuitOpen = b.circuitOpen;
        firstStepOnEventLoop = b.firstStepOnEventLoop;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The builder's values, each overridden by its environment variable when set. */
    public static ZerverSettings resolve(Builder programmatic, Env env) {
        Builder b = programmatic.copy();
        b.host = env.parse(HOST, b.host, v -> {
            if (!v.matches("[A-Za-z0-9.:\\-\\[\\]]+")) {
                throw new IllegalArgumentException();
            }
            return v;
        }, "a host name or IP address to listen on");
        b.port = env.integer(PORT, b.port, 0, 65535);
        b.stepWorkers = env.integer(STEP_WORKERS, b.stepWorkers, 1, 1024);
        b.effectWorkers = env.integer(EFFECT_WORKERS, b.effectWorkers, 1, 4096);
        b.stepQueueCapacity = env.integer(STEP_QUEUE_CAPACITY, b.stepQueueCapacity, 1, 1_000_000);
        b.effectQueueCapacity = env.integer(EFFECT_QUEUE_CAPACITY, b.effectQueueCapacity, 1, 1_000_000);
        b.continuationQueue = env.name(QUEUE_NAME_CONT, b.continuationQueue);
        b.effectQueue = env.name(QUEUE_NAME_EFFECTS, b.effectQueue);
        b.maxBodyBytes = env.bytes(MAX_BODY_BYTES, b.maxBodyBytes, 0, Integer.MAX_VALUE);
        b.maxHeaderBytes = env.bytes(MAX_HEADER_BYTES, b.maxHeaderBytes, 1024, 1024 * 1024);
        b.idleTimeout = env.duration(IDLE_TIMEOUT, b.idleTimeout, Duration.ofSeconds(1));
        b.headerTimeout = env.duration(HEADER_TIMEOUT, b.headerTimeout, Duration.ofMillis(100));
        b.minBodyRate = env.bytes(MIN_BODY_RATE, b.minBodyRate, 0, Integer.MAX_VALUE);
        b.maxConnections = env.integer(MAX_CONNECTIONS, b.maxConnections, 1, 1_000_000);
        b.requestTimeout = env.duration(REQUEST_TIMEOUT, b.requestTimeout, Duration.ofMillis(1));
        b.shutdownGrace = env.duration(SHUTDOWN_GRACE, b.shutdownGrace, Duration.ZERO);
        b.circuitFailures = env.integer(CIRCUIT_FAILURES, b.circuitFailures, 0, 1_000_000);
        b.circuitOpen = env.duration(CIRCUIT_OPEN, b.circuitOpen, Duration.ofMillis(1));
        b.firstStepOnEventLoop = env.flag(FIRST_STEP_ON_EVENT_LOOP, b.firstStepOnEventLoop);
        return b.build();
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public int stepWorkers() {
        return stepWorkers;
    }

    public int effectWorkers() {
        return effectWorkers;
    }

    public int stepQueueCapacity() {
        return stepQueueCapacity;
    }

    public int effectQueueCapacity() {
        return effectQueueCapacity;
    }

    /** The queue of step jobs, {@code continuations} by default. */
    public String continuationQueue() {
        return continuationQueue;
    }

    /** The queue of effect jobs, {@code effects} by default. */
    public String effectQueue() {
        return effectQueue;
    }

    public int maxBodyBytes() {
        return maxBodyBytes;
    }

    public int maxHeaderBytes() {
        return maxHeaderBytes;
    }

    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** How long a request's header block may take to arrive, from its first byte. */
    public Duration headerTimeout() {
        return headerTimeout;
    }

    /** The slowest average rate, in bytes per second, at which a request body may arrive; 0: any. */
    public int minBodyRate() {
        return minBodyRate;
    }

    /** Open connections beyond which new ones are closed at once. */
    public int maxConnections() {
        return maxConnections;
    }

    public Duration requestTimeout() {
        return requestTimeout;
    }

    public Duration shutdownGrace() {
        return shutdownGrace;
    }

    /** Consecutive infrastructure failures of one effect target that open its circuit; 0 disables breakers. */
    public int circuitFailures() {
        return circuitFailures;
    }

    /** How long an open circuit fails fast before it lets one trial attempt through. */
    public Duration circuitOpen() {
        return circuitOpen;
    }

    /**
     * Whether the thread that reads a request (a Netty event loop) runs its first step job itself,
     * instead of waking a step worker for it. See {@link Builder#firstStepOnEventLoop}.
     */
    public boolean firstStepOnEventLoop() {
        return firstStepOnEventLoop;
    }

    /** Name and value of every setting, in a stable order, for a start-up banner. */
    public Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(HOST, host);
        m.put(PORT, Integer.toString(port));
        m.put(STEP_WORKERS, Integer.toString(stepWorkers));
        m.put(EFFECT_WORKERS, Integer.toString(effectWorkers));
        m.put(STEP_QUEUE_CAPACITY, Integer.toString(stepQueueCapacity));
        m.put(EFFECT_QUEUE_CAPACITY, Integer.toString(effectQueueCapacity));
        m.put(QUEUE_NAME_CONT, continuationQueue);
        m.put(QUEUE_NAME_EFFECTS, effectQueue);
        m.put(MAX_BODY_BYTES, Integer.toString(maxBodyBytes));
        m.put(MAX_HEADER_BYTES, Integer.toString(maxHeaderBytes));
        m.put(IDLE_TIMEOUT, Env.format(idleTimeout));
        m.put(HEADER_TIMEOUT, Env.format(headerTimeout));
        m.put(MIN_BODY_RATE, Integer.toString(minBodyRate));
        m.put(MAX_CONNECTIONS, Integer.toString(maxConnections));
        m.put(REQUEST_TIMEOUT, Env.format(requestTimeout));
        m.put(SHUTDOWN_GRACE, Env.format(shutdownGrace));
        m.put(CIRCUIT_FAILURES, Integer.toString(circuitFailures));
        m.put(CIRCUIT_OPEN, Env.format(circuitOpen));
        m.put(FIRST_STEP_ON_EVENT_LOOP, Boolean.toString(firstStepOnEventLoop));
        return m;
    }

    /** Programmatic settings; each setter validates at once. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 8080;
        private int stepWorkers = Runtime.getRuntime().availableProcessors();
        private int effectWorkers = 4 * Runtime.getRuntime().availableProcessors();
        private int stepQueueCapacity = 1024;
        private int effectQueueCapacity = 4096;
        private String continuationQueue = "continuations";
        private String effectQueue = "effects";
        private int maxBodyBytes = 1024 * 1024;
        private int maxHeaderBytes = 8 * 1024;
        private Duration idleTimeout = Duration.ofSeconds(60);
        private Duration headerTimeout = Duration.ofSeconds(10);
        private int minBodyRate = 1024;
        private int maxConnections = 10_000;
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Duration shutdownGrace = Duration.ofSeconds(10);
        private int circuitFailures = 5;
        private Duration circuitOpen = Duration.ofSeconds(10);
        private boolean firstStepOnEventLoop;

        private Builder() {}

        private Builder copy() {
            Builder c = new Builder();
            c.host = host;
            c.port = port;
            c.stepWorkers = stepWorkers;
            c.effectWorkers = effectWorkers;
            c.stepQueueCapacity = stepQueueCapacity;
            c.effectQueueCapacity = effectQueueCapacity;
            c.continuationQueue = continuationQueue;
            c.effectQueue = effectQueue;
            c.maxBodyBytes = maxBodyBytes;
            c.maxHeaderBytes = maxHeaderBytes;
            c.idleTimeout = idleTimeout;
            c.headerTimeout = headerTimeout;
            c.minBodyRate = minBodyRate;
            c.maxConnections = maxConnections;
            c.requestTimeout = requestTimeout;
            c.shutdownGrace = shutdownGrace;
            c.circuitFailures = circuitFailures;
            c.circuitOpen = circuitOpen;
            c.firstStepOnEventLoop = firstStepOnEventLoop;
            return c;
        }

        public Builder host(String value) {
            host = Objects.requireNonNull(value, "host");
            return this;
        }

        /** The port to listen on; 0 picks a free one. */
        public Builder port(int value) {
            port = check("port", value, 0, 65535);
            return this;
        }

        public Builder stepWorkers(int value) {
            stepWorkers = check("stepWorkers", value, 1, 1024);
            return this;
        }

        public Builder effectWorkers(int value) {
            effectWorkers = check("effectWorkers", value, 1, 4096);
            return this;
        }

        public Builder stepQueueCapacity(int value) {
            stepQueueCapacity = check("stepQueueCapacity", value, 1, 1_000_000);
            return this;
        }

        public Builder effectQueueCapacity(int value) {
            effectQueueCapacity = check("effectQueueCapacity", value, 1, 1_000_000);
            return this;
        }

        public Builder continuationQueue(String name) {
            continuationQueue = checkName("continuationQueue", name);
            return this;
        }

        public Builder effectQueue(String name) {
            effectQueue = checkName("effectQueue", name);
            return this;
        }

        /** Largest request body accepted; a larger one is answered 413. */
        public Builder maxBodyBytes(int value) {
            maxBodyBytes = check("maxBodyBytes", value, 0, Integer.MAX_VALUE);
            return this;
        }

        /** Largest header block accepted; a larger one is answered 431. */
        public Builder maxHeaderBytes(int value) {
            maxHeaderBytes = check("maxHeaderBytes", value, 1024, 1024 * 1024);
            return this;
        }

        /** A connection with no request in progress is closed after this long without bytes. */
        public Builder idleTimeout(Duration value) {
            idleTimeout = Objects.requireNonNull(value);
            return this;
        }

        /** A request whose header block takes longer than this from its first byte is answered 408. */
        public Builder headerTimeout(Duration value) {
            headerTimeout = Objects.requireNonNull(value);
            return this;
        }

        /**
         * A request body arriving slower than this many bytes per second on average, once it has
         * been arriving for 5 s, is answered 408; 0 accepts any rate.
         */
        public Builder minBodyRate(int bytesPerSecond) {
            minBodyRate = check("minBodyRate", bytesPerSecond, 0, Integer.MAX_VALUE);
            return this;
        }

        /** Connections beyond this many open ones are closed as soon as they are accepted. */
        public Builder maxConnections(int value) {
            maxConnections = check("maxConnections", value, 1, 1_000_000);
            return this;
        }

        /** A request still running after this long is cancelled and answered 504. */
        public Builder requestTimeout(Duration value) {
            requestTimeout = Objects.requireNonNull(value);
            return this;
        }

        /** On stop, how long in-flight requests may finish before they are cancelled. */
        public Builder shutdownGrace(Duration value) {
            shutdownGrace = Objects.requireNonNull(value);
            return this;
        }

        /**
         * Circuit breakers per effect target: {@code failures} consecutive infrastructure failures
         * open the circuit, which fails fast ({@code circuit_open}) for {@code openFor}, then lets
         * one trial through: its success closes the circuit, its failure opens it again.
         * {@code failures = 0} disables breakers.
         */
        public Builder circuitBreaker(int failures, Duration openFor) {
            circuitFailures = check("circuit breaker failures", failures, 0, 1_000_000);
            if (openFor == null || openFor.isNegative() || openFor.isZero()) {
                throw new IllegalArgumentException("circuit breaker open time must be > 0, got " + openFor);
            }
            circuitOpen = openFor;
            return this;
        }

        /**
         * Lets the thread that reads a request (a Netty event loop) run the request's first step
         * job itself: the steps from dispatch up to the first {@code Need}, {@code Done} or
         * {@code Fail}. The job is still queued on the continuation queue and taken at once, so
         * its record keeps every lifecycle time (a queue wait of about zero); its
         * {@code job.worker_id} numbers the event loop after both worker pools. A route whose
         * first steps only decide (read the request, return a {@code Need} or a small response)
         * saves the wake-up of a step worker, and for a {@code Done} also the wake-up of the event
         * loop to write the response. Off by default: a slow first step holds every other
         * connection of its event loop meanwhile.
         */
        public Builder firstStepOnEventLoop(boolean value) {
            firstStepOnEventLoop = value;
            return this;
        }

        public ZerverSettings build() {
            return new ZerverSettings(this);
        }

        private static int check(String what, int value, int min, int max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(what + " must be from " + min + " to " + max + ", got " + value);
            }
            return value;
        }

        private static String checkName(String what, String value) {
            if (value == null || !value.matches("[A-Za-z0-9_.\\-]{1,64}")) {
                throw new IllegalArgumentException(what + " must be a non-empty name, got '" + value + "'");
            }
            return value;
        }
    }
}
