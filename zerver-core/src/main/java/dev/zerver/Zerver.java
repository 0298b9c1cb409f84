package dev.zerver;

import dev.zerver.config.Env;
import dev.zerver.config.KnownSettings;
import dev.zerver.config.ZerverSettings;
import dev.zerver.internal.http.NettyServer;
import dev.zerver.internal.routing.Route;
import dev.zerver.internal.routing.RouteTemplate;
import dev.zerver.internal.routing.Router;
import dev.zerver.spi.InFlightRequest;
import dev.zerver.spi.InboundRequest;
import dev.zerver.spi.ResponseSink;
import dev.zerver.spi.Scheduling;
import dev.zerver.internal.runtime.Wiring;
import dev.zerver.internal.runtime.ZerverRuntime;
import dev.zerver.spi.Clock;
import dev.zerver.spi.EffectHandler;
import dev.zerver.spi.EffectHandlers;
import dev.zerver.spi.IdGenerator;
import dev.zerver.telemetry.RecordListener;
import dev.zerver.telemetry.Redaction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A Zerver application: routes of named steps, effect handlers and record listeners, served over
 * HTTP.
 *
 * <pre>{@code
 * Zerver app = Zerver.builder()
 *     .get("/hello/{name}", Step.named("greet").run(ctx ->
 *         Decision.done(Response.text("hello " + ctx.param("name")))))
 *     .build()
 *     .start();
 * }</pre>
 */
public final class Zerver implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Zerver.class.getName());

    private final ZerverRuntime runtime;
    private final NettyServer server;
    private final boolean shutdownHook;
    /** The handlers and listeners that read settings of their own. */
    private final List<KnownSettings> parts;
    private Thread hook;
    private boolean started;
    private boolean stopped;

    private Zerver(ZerverRuntime runtime, boolean shutdownHook, List<KnownSettings> parts) {
        this.runtime = runtime;
        this.parts = List.copyOf(parts);
        this.server = new NettyServer(runtime);
        this.shutdownHook = shutdownHook;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts the workers and the HTTP server, logs one line saying where it listens ({@link #port()}
     * tells too) and, unless the builder said otherwise, registers a shutdown hook that stops it
     * gracefully, so that Ctrl-C still answers in-flight requests and flushes queued telemetry.
     */
    public synchronized Zerver start() {
        if (stopped) {
            throw new IllegalStateException("a stopped Zerver cannot be started again");
        }
        if (!started) {
            runtime.start();
            server.start();
            started = true;
            LOG.log(System.Logger.Level.INFO, "zerver: listening on http://" + runtime.settings().host() + ":" + port());
            if (shutdownHook) {
                hook = new Thread(this::stop, "zerver-shutdown");
                Runtime.getRuntime().addShutdownHook(hook);
            }
        }
        return this;
    }

    /** The port the server listens on (the real one when configured as 0). */
    public int port() {
        return server.port();
    }

    public ZerverSettings settings() {
        return runtime.settings();
    }

    /**
     * The effective value of every setting, by variable name: Zerver's own, then those of each
     * effect handler and listener that reads settings ({@link KnownSettings}), in registration
     * order. Secrets (passwords, tokens, headers, URL credentials and sensitive query values) are
     * redacted, so the map can be printed or logged as is.
     */
    public Map<String, String> describeSettings() {
        Map<String, String> all = new java.util.LinkedHashMap<>(runtime.settings().describe());
        for (KnownSettings part : parts) {
            all.putAll(part.describe());
        }
        all.replaceAll(Redaction::setting);
        return java.util.Collections.unmodifiableMap(all);
    }

    /** The clock the runtime times requests with (the system's, or a test scheduler's). */
    public Clock clock() {
        return runtime.clock();
    }

    /** Requests dispatched and not yet answered. */
    public int inFlight() {
        return runtime.inFlight();
    }

    /** Serves a request that arrived through another transport (or a test), without HTTP. */
    public InFlightRequest dispatch(InboundRequest request, ResponseSink sink) {
        return runtime.dispatch(request, sink);
    }

    /** {@link #stop(Duration)} with the configured shutdown grace. */
    public void stop() {
        stop(runtime.settings().shutdownGrace());
    }

    /**
     * Graceful shutdown: stops accepting connections, lets in-flight requests finish within
     * {@code grace}, cancels what is left (answered 503), then closes connections and workers.
     *
     * @return whether every in-flight request finished within the grace period
     */
    public synchronized boolean stop(Duration grace) {
        if (stopped) {
            return true;
        }
        stopped = true;
        if (hook != null && Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // The JVM is already shutting down: the hook runs (and finds this one stopped).
            }
        }
        server.stopAccepting();
        boolean clean;
        try {
            clean = runtime.shutdown(grace);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            clean = false;
        }
        server.close();
        return clean;
    }

    @Override
    public void close() {
        stop();
    }

    /** Declares an application; {@link #build()} validates it. */
    public static final class Builder {
        private final ZerverSettings.Builder settings = ZerverSettings.builder();
        private Map<String, String> environment = System.getenv();
        private final List<Step> globalBefore = new ArrayList<>();
        private final List<RouteSpec> routes = new ArrayList<>();
        private final List<EffectHandler<?>> handlers = new ArrayList<>();
        private final List<RecordListener> listeners = new ArrayList<>();
        private ErrorRenderer errorRenderer = ErrorRenderer.json();
        private boolean shutdownHook = true;
        private Scheduling scheduling = Scheduling.system();
        private IdGenerator ids = IdGenerator.random();

        private Builder() {}

        /** Changes settings programmatically; their environment variables still win. */
        public Builder settings(Consumer<ZerverSettings.Builder> change) {
            change.accept(settings);
            return this;
        }

        /** The port to listen on (0: any free port); {@code ZER_VER_PORT} wins. */
        public Builder port(int port) {
            settings.port(port);
            return this;
        }

        /** The environment variables to read instead of the process environment (tests, embedding). */
        public Builder environment(Map<String, String> variables) {
            environment = Map.copyOf(variables);
            return this;
        }

        /** Steps that run first for every matched route (layer {@code global_before}). */
        public Builder before(Step... steps) {
            globalBefore.addAll(List.of(steps));
            return this;
        }

        public Builder get(String template, Step... steps) {
            return route("GET", template, r -> r.step(steps));
        }

        public Builder post(String template, Step... steps) {
            return route("POST", template, r -> r.step(steps));
        }

        public Builder put(String template, Step... steps) {
            return route("PUT", template, r -> r.step(steps));
        }

        public Builder patch(String template, Step... steps) {
            return route("PATCH", template, r -> r.step(steps));
        }

        public Builder delete(String template, Step... steps) {
            return route("DELETE", template, r -> r.step(steps));
        }

        /**
         * A route with before-steps and main steps.
         *
         * <pre>{@code
         * .route("GET", "/admin/{*rest}", r -> r.before(auth).step(serve))
         * }</pre>
         */
        public Builder route(String method, String template, Consumer<RouteSpec> spec) {
            RouteSpec r = new RouteSpec(method, template);
            spec.accept(r);
            routes.add(r);
            return this;
        }

        /**
         * Whether {@link Zerver#start()} registers a JVM shutdown hook that stops the server
         * gracefully (default true). Turn it off when the application manages its own lifecycle.
         */
        public Builder shutdownHook(boolean value) {
            shutdownHook = value;
            return this;
        }

        /** Registers the handler of one effect request type. */
        public Builder effectHandler(EffectHandler<?> handler) {
            handlers.add(Objects.requireNonNull(handler));
            return this;
        }

        /** Replaces the default JSON error body. */
        public Builder onError(ErrorRenderer renderer) {
            errorRenderer = Objects.requireNonNull(renderer);
            return this;
        }

        /** Receives every request's finished record. */
        public Builder listener(RecordListener listener) {
            listeners.add(Objects.requireNonNull(listener));
            return this;
        }

        /** The clock, timers and job takers; tests pass a {@code ManualScheduler}. */
        public Builder scheduling(Scheduling value) {
            scheduling = Objects.requireNonNull(value);
            return this;
        }

        /** Trace and span id generation. */
        public Builder ids(IdGenerator value) {
            ids = Objects.requireNonNull(value);
            return this;
        }

        /**
         * Validates and builds the application; nothing listens until {@link Zerver#start()}.
         *
         * @throws dev.zerver.config.ConfigException for a malformed environment variable
         * @throws IllegalArgumentException for a malformed or duplicate route, or a step that reads a
         *     slot no earlier step writes (the message names route, step and slot)
         */
        public Zerver build() {
            ZerverSettings resolved = ZerverSettings.resolve(settings, new Env(environment));
            List<Route> built = new ArrayList<>(routes.size());
            for (RouteSpec spec : routes) {
                Route route = spec.toRoute(built.size());
                checkSlots(route);
                built.add(route);
            }
            Router router = new Router(built);
            List<KnownSettings> parts = settingParts();
            warnAboutUnknownVariables(parts);
            ZerverRuntime runtime = new ZerverRuntime(resolved, router,
                    new Wiring(globalBefore, errorRenderer, listeners, new EffectHandlers(handlers)), scheduling, ids);
            return new Zerver(runtime, shutdownHook, parts);
        }

        private List<KnownSettings> settingParts() {
            List<KnownSettings> parts = new ArrayList<>();
            for (Object part : handlers) {
                if (part instanceof KnownSettings k) {
                    parts.add(k);
                }
            }
            for (Object part : listeners) {
                if (part instanceof KnownSettings k && !parts.contains(k)) {
                    parts.add(k);
                }
            }
            return parts;
        }

        /** One log line per ZER_VER_* / OTEL_* variable that neither Zerver nor a registered part reads. */
        private void warnAboutUnknownVariables(List<KnownSettings> parts) {
            Set<String> known = new HashSet<>(KnownSettings.constantsOf(ZerverSettings.class));
            for (KnownSettings part : parts) {
                known.addAll(part.settingNames());
            }
            for (String line : KnownSettings.unknown(environment, known)) {
                LOG.log(System.Logger.Level.WARNING, line);
            }
        }

        private void checkSlots(Route route) {
            Set<Slot<?>> written = new HashSet<>();
            List<Step> pipeline = new ArrayList<>(globalBefore);
            pipeline.addAll(route.before());
            pipeline.addAll(route.steps());
            for (Step step : pipeline) {
                for (Slot<?> slot : step.reads()) {
                    if (!written.contains(slot) && !step.writes().contains(slot)) {
                        throw new IllegalArgumentException("route " + route + ": " + step + " reads " + slot
                                + " but no earlier step writes it");
                    }
                }
                written.addAll(step.writes());
            }
        }
    }

    /** The steps of one route. */
    public static final class RouteSpec {
        private final String method;
        private final String template;
        private final List<Step> before = new ArrayList<>();
        private final List<Step> steps = new ArrayList<>();

        private RouteSpec(String method, String template) {
            this.method = method;
            this.template = template;
        }

        /** Steps that run before the main steps (layer {@code route_before}). */
        public RouteSpec before(Step... more) {
            before.addAll(List.of(more));
            return this;
        }

        /** Main steps, in order. */
        public RouteSpec step(Step... more) {
            steps.addAll(List.of(more));
            return this;
        }

        private Route toRoute(int order) {
            if (method == null || !method.matches("[A-Z]{1,20}")) {
                throw new IllegalArgumentException("route '" + template + "': method must be an uppercase token such as GET, got '"
                        + method + "'");
            }
            RouteTemplate parsed = RouteTemplate.parse(template);
            if (steps.isEmpty()) {
                throw new IllegalArgumentException("route " + method + " " + template + " has no steps");
            }
            for (Step s : before) {
                Objects.requireNonNull(s, "route " + method + " " + template + ": a before-step is null");
            }
            for (Step s : steps) {
                Objects.requireNonNull(s, "route " + method + " " + template + ": a step is null");
            }
            return new Route(method, parsed, before, steps, order);
        }
    }
}
