package dev.zerver.internal.runtime;

import dev.zerver.spi.InboundRequest;
import dev.zerver.spi.ResponseSink;
import dev.zerver.spi.InFlightRequest;
import dev.zerver.Decision;
import dev.zerver.ErrorRenderer;
import dev.zerver.Step;
import dev.zerver.config.ZerverSettings;
import dev.zerver.internal.routing.Router;
import dev.zerver.spi.Clock;
import dev.zerver.spi.EffectHandlers;
import dev.zerver.spi.IdGenerator;
import dev.zerver.spi.Scheduling;
import dev.zerver.spi.Timers;
import dev.zerver.telemetry.ExecutionScopes;
import dev.zerver.telemetry.HeadSampler;
import dev.zerver.telemetry.Propagation;
import dev.zerver.telemetry.RecordListener;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Everything a request needs from the application and the machine: routes, steps, handlers,
 * listeners, queues, clock and timers. One per {@code Zerver} instance.
 */
public final class ZerverRuntime implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ZerverRuntime.class.getName());

    private final ZerverSettings settings;
    private final Router router;
    private final List<Step> globalBefore;
    private final ErrorRenderer errorRenderer;
    private final List<RecordListener> listeners;
    private final EffectHandlers handlers;
    private final Clock clock;
    private final Timers timers;
    private final IdGenerator ids;
    private final JobSystem jobs;
    private final HeadSampler headSampler;
    private final Propagation propagation;
    private final ExecutionScopes scopes;
    private final Set<RequestExecution> inFlight = ConcurrentHashMap.newKeySet();
    private final Map<String, CircuitBreaker> breakers = new ConcurrentHashMap<>();
    private volatile boolean accepting = true;
    /** Runs work that may block (a JDBC statement's cancel) off timer and event-loop threads; inline when manual. */
    private final Executor aside;

    /** Builds the runtime and attaches its queues to {@code scheduling} (which may take jobs itself). */
    public ZerverRuntime(ZerverSettings settings, Router router, Wiring app, Scheduling scheduling, IdGenerator ids) {
        this.settings = settings;
        this.router = router;
        this.globalBefore = app.globalBefore();
        this.errorRenderer = app.errorRenderer();
        this.listeners = app.listeners();
        EffectHandlers handlers = app.handlers();
        Clock clock = scheduling.clock();
        Timers timers = scheduling.timers();
        boolean manual = scheduling.manual();
        this.scopes = this.listeners.stream().filter(l -> l instanceof ExecutionScopes).map(l -> (ExecutionScopes) l)
                .findFirst().orElse(ExecutionScopes.NONE);
        this.headSampler = this.listeners.stream().filter(l -> l instanceof HeadSampler).map(l -> (HeadSampler) l)
                .findFirst().orElse(HeadSampler.FOLLOW_PARENT);
        this.propagation = this.listeners.stream().filter(l -> l instanceof Propagation).map(l -> (Propagation) l)
                .findFirst().orElse(Propagation.W3C);
        this.handlers = handlers;
        this.clock = clock;
        this.timers = timers != null ? timers : new SystemTimers();
        this.ids = ids;
        this.jobs = new JobSystem(settings.continuationQueue(), settings.stepQueueCapacity(), settings.stepWorkers(),
                settings.effectQueue(), settings.effectQueueCapacity(), settings.effectWorkers(), clock, manual);
        if (manual) {
            this.aside = Runnable::run;
        } else {
            // One thread, made on demand and gone after 30 s idle.
            ThreadPoolExecutor pool = new ThreadPoolExecutor(0, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "zerver-aside");
                t.setDaemon(true);
                return t;
            });
            this.aside = pool;
        }
        scheduling.attach(jobs.view());
    }

    /** Runs {@code task} where blocking harms no timer or connection; failures are logged. */
    void runAside(Runnable task) {
        aside.execute(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "background task failed", e);
            }
        });
    }

    /**
     * Hands a request to the runtime; the response goes to {@code sink}. Never blocks.
     *
     * @return a handle the transport uses to cancel the request (the client went away)
     */
    public InFlightRequest dispatch(InboundRequest request, ResponseSink sink) {
        return RequestExecution.dispatch(this, request, sink);
    }

    /** Starts the worker threads (nothing in manual mode). */
    public void start() {
        jobs.start();
    }

    public ZerverSettings settings() {
        return settings;
    }

    public JobSystem jobs() {
        return jobs;
    }

    public Clock clock() {
        return clock;
    }

    public Timers timers() {
        return timers;
    }

    public IdGenerator ids() {
        return ids;
    }

    Router router() {
        return router;
    }

    List<Step> globalBefore() {
        return globalBefore;
    }

    ErrorRenderer errorRenderer() {
        return errorRenderer;
    }

    EffectHandlers handlers() {
        return handlers;
    }

    /**
     * The circuit breaker of an effect target ({@code kind:target}, e.g. {@code http:comments}),
     * or null when breakers are disabled.
     */
    public CircuitBreaker breaker(String kindAndTarget) {
        if (settings.circuitFailures() == 0) {
            return null;
        }
        return breakers.computeIfAbsent(kindAndTarget,
                k -> new CircuitBreaker(settings.circuitFailures(), settings.circuitOpen().toNanos()));
    }

    /** Requests dispatched whose record is not finished yet. */
    public int inFlight() {
        return inFlight.size();
    }

    /** The first listener that provides {@link ExecutionScopes}, else none. */
    ExecutionScopes scopes() {
        return scopes;
    }

    /** The first listener that is a {@link HeadSampler}, else {@link HeadSampler#FOLLOW_PARENT}. */
    HeadSampler headSampler() {
        return headSampler;
    }

    /** The first listener that is a {@link Propagation}, else both W3C headers. */
    Propagation propagation() {
        return propagation;
    }

    /** False once shutdown has begun: new requests are answered 503 and connections close after their response. */
    public boolean accepting() {
        return accepting;
    }

    boolean admit(RequestExecution exec) {
        if (!accepting) {
            return false;
        }
        inFlight.add(exec);
        return true;
    }

    void finished(RequestExecution exec) {
        inFlight.remove(exec);
        exec.record().finish();
        for (RecordListener l : listeners) {
            try {
                l.onRequestFinished(exec.record());
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "record listener " + l.getClass().getName() + " failed", e);
            }
        }
    }

    /**
     * Stops taking requests (new ones get 503), gives in-flight requests {@code grace} to finish,
     * cancels what is left (answered 503), then stops the workers.
     *
     * @return whether everything finished within the grace period
     */
    public boolean shutdown(Duration grace) throws InterruptedException {
        accepting = false;
        long deadline = System.nanoTime() + grace.toNanos();
        while (!inFlight.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        boolean clean = inFlight.isEmpty();
        if (!clean) {
            LOG.log(System.Logger.Level.WARNING, "cancelling " + inFlight.size() + " request(s) still running after "
                    + grace.toMillis() + " ms");
            for (RequestExecution exec : List.copyOf(inFlight)) {
                exec.cancel("shutdown", new Decision.Fail(503, "server", "shutting_down"));
            }
            jobs.awaitIdle(2, TimeUnit.SECONDS);
        }
        close();
        return clean;
    }

    @Override
    public void close() {
        accepting = false;
        jobs.close();
        handlers.close();
        if (aside instanceof ThreadPoolExecutor pool) {
            pool.shutdown();
        }
        if (timers instanceof SystemTimers t) {
            t.close();
        }
        // Listeners that hold resources (an exporter flushing its queue, say) close last, after
        // every record has reached them.
        for (RecordListener l : listeners) {
            if (l instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    LOG.log(System.Logger.Level.WARNING, "record listener " + l.getClass().getName() + " failed to close", e);
                }
            }
        }
    }
}
