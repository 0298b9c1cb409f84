package dev.zerver.effects.http;

import dev.zerver.Effect;
import dev.zerver.config.Env;
import dev.zerver.config.KnownSettings;
import dev.zerver.spi.EffectContext;
import dev.zerver.spi.EffectFailure;
import dev.zerver.spi.EffectHandler;
import dev.zerver.spi.EffectResult;
import dev.zerver.spi.Timers;
import dev.zerver.telemetry.ParkCause;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Executes {@link Http} effects on Apache HttpClient 5's asynchronous client: the job parks
 * ({@code io_wait}) while the response is awaited and holds no worker, and one I/O thread serves
 * every call in flight over pooled keep-alive connections.
 *
 * <p>Per target: a concurrency limit (a caller over it parks {@code backpressure} with the
 * limit's in-use and maximum) and an optional token-bucket rate limit (a caller without a token
 * parks {@code rate_limit} until its slot). A peer's 5xx, an I/O error or a timeout is an
 * infrastructure failure (retried under a retry policy); a 4xx is an application failure that
 * fails the request with the peer's status.
 *
 * <pre>{@code
 * HttpEffects http = HttpEffects.builder()
 *     .limit("comments", 8)
 *     .rateLimit("comments", 5)          // 5 calls per second
 *     .build();
 * }</pre>
 */
public final class HttpEffects implements KnownSettings, EffectHandler<HttpCall>, AutoCloseable {
    /** Concurrent calls per target when none is declared in code. */
    public static final String MAX_CONCURRENT = "ZER_VER_HTTP_MAX_CONCURRENT";
    /** How long opening a connection may take. */
    public static final String CONNECT_TIMEOUT = "ZER_VER_HTTP_CONNECT_TIMEOUT";
    /** The client's own limit on one call, from its start to the end of the response. */
    public static final String RESPONSE_TIMEOUT = "ZER_VER_HTTP_RESPONSE_TIMEOUT";

    private final NettyTransport client;
    private final int defaultLimit;
    private final Map<String, Integer> limitsByTarget;
    private final Map<String, double[]> ratesByTarget;
    private final Map<String, ConcurrencyLimit> limits = new ConcurrentHashMap<>();
    private final Map<String, RateLimiter> rates = new ConcurrentHashMap<>();
    private final Duration responseTimeout;
    private final Map<String, String> described;

    private HttpEffects(Builder b) {
        Map<String, String> settings = new java.util.LinkedHashMap<>();
        settings.put(MAX_CONCURRENT, Integer.toString(b.defaultLimit));
        settings.put(CONNECT_TIMEOUT, Env.format(b.connectTimeout));
        settings.put(RESPONSE_TIMEOUT, Env.format(b.responseTimeout));
        described = java.util.Collections.unmodifiableMap(settings);
        int mostPerPeer = b.limits.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        client = new NettyTransport(b.connectTimeout, Math.max(b.defaultLimit, mostPerPeer));
        defaultLimit = b.defaultLimit;
        limitsByTarget = Map.copyOf(b.limits);
        ratesByTarget = Map.copyOf(b.rates);
        responseTimeout = b.responseTimeout;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder that also reads the environment: {@value #MAX_CONCURRENT} (default 64),
     * {@value #CONNECT_TIMEOUT} (5s), {@value #RESPONSE_TIMEOUT} (30s). As everywhere in Zerver, a
     * variable that is set wins over the value given in code; per-target limits are code only.
     */
    public static Builder builder(Map<String, String> environment) {
        Builder b = new Builder();
        b.environment = Map.copyOf(environment);
        return b;
    }

    @Override
    public Set<String> settingNames() {
        return KnownSettings.constantsOf(HttpEffects.class);
    }

    @Override
    public Map<String, String> describe() {
        return described;
    }

    @Override
    public Class<HttpCall> requestType() {
        return HttpCall.class;
    }

    @Override
    public CompletionStage<EffectResult> execute(HttpCall call, Effect effect, EffectContext ctx) {
        String target = effect.target();
        ctx.attribute("http.request.method", call.method());
        ctx.attribute("url.full", RedactedUrl.of(call.uri().toString()));
        ctx.attribute("server.address", call.uri().getHost());
        ctx.attribute("server.port", port(call));
        if (ctx.attempt() > 1) {
            ctx.attribute("http.request.resend_count", ctx.attempt() - 1);
        }
        CompletableFuture<EffectResult> result = new CompletableFuture<>();
        ConcurrencyLimit limit = limits.computeIfAbsent(target,
                t -> new ConcurrencyLimit(limitsByTarget.getOrDefault(t, defaultLimit)));
        Permit permit = new Permit(limit);
        Runnable granted = () -> {
            ctx.resume();
            permit.held();
            throttleThenSend(call, target, ctx, permit, result);
        };
        if (limit.acquireOrWait(granted)) {
            permit.held();
            throttleThenSend(call, target, ctx, permit, result);
        } else {
            ctx.park(ParkCause.BACKPRESSURE, target, limit.inUse(), limit.max());
            ctx.onAbandon(() -> {
                if (limit.withdraw(granted)) {
                    result.cancel(false);
                } else {
                    permit.release();
                }
            });
        }
        return result;
    }

    private void throttleThenSend(HttpCall call, String target, EffectContext ctx, Permit permit,
            CompletableFuture<EffectResult> result) {
        if (ctx.isAbandoned()) {
            permit.release();
            return;
        }
        double[] rate = ratesByTarget.get(target);
        long wait = rate == null ? 0 : rates.computeIfAbsent(target, t -> new RateLimiter(rate[0], (int) rate[1]))
                .reserve(ctx.clock().nanoTime());
        if (wait == 0) {
            send(call, target, ctx, permit, result);
            return;
        }
        ctx.park(ParkCause.RATE_LIMIT, target);
        Timers.Timer t = ctx.timers().schedule(wait, () -> {
            ctx.resume();
            send(call, target, ctx, permit, result);
        });
        ctx.onAbandon(() -> {
            if (t.cancel()) {
                permit.release();
            }
        });
    }

    private void send(HttpCall call, String target, EffectContext ctx, Permit permit,
            CompletableFuture<EffectResult> result) {
        if (ctx.isAbandoned()) {
            permit.release();
            return;
        }
        List<String[]> headers = new ArrayList<>(call.headers().size() + 2);
        String traceparent = ctx.traceparent();
        if (traceparent != null) {
            headers.add(new String[] {"traceparent", traceparent});
        }
        boolean ownBaggage = false;
        for (HttpCall.Header h : call.headers()) {
            headers.add(new String[] {h.name(), h.value()});
            ownBaggage |= h.name().equalsIgnoreCase("baggage");
        }
        if (!ownBaggage && ctx.baggage() != null) {
            headers.add(new String[] {"baggage", ctx.baggage()}); // the caller's baggage travels on, as W3C asks
        }
        ctx.park(ParkCause.IO_WAIT, target);
        Runnable cancel;
        try {
            cancel = client.send(call.method(), call.uri(), headers, call.body(), responseTimeout, (status, body, error) -> {
                permit.release();
                if (error != null) {
                    result.completeExceptionally(EffectFailure.from(error));
                    return;
                }
                ctx.attribute("http.response.status_code", status);
                if (status >= 500) {
                    result.completeExceptionally(EffectFailure.infrastructure(Integer.toString(status),
                            call.method() + " " + target + " answered " + status).withStatus(502));
                } else if (status >= 400) {
                    result.completeExceptionally(EffectFailure.application(Integer.toString(status),
                            call.method() + " " + target + " answered " + status, status));
                } else {
                    result.complete(EffectResult.of(body));
                }
            });
        } catch (RuntimeException e) {
            permit.release();
            result.completeExceptionally(EffectFailure.infrastructure("io_error", e.getMessage()));
            return;
        }
        ctx.onAbandon(() -> {
            cancel.run();
            permit.release();
        });
    }

    /** The concurrency limit of {@code target}, once used (tests look at who waits on it). */
    ConcurrencyLimit limitOf(String target) {
        return limits.get(target);
    }

    private static int port(HttpCall call) {
        int p = call.uri().getPort();
        return p > 0 ? p : call.uri().getScheme().equals("https") ? 443 : 80;
    }

    @Override
    public void close() {
        client.close();
    }

    /** One attempt's permit, returned exactly once whichever path ends the attempt. */
    private static final class Permit {
        private final ConcurrencyLimit limit;
        private final AtomicBoolean held = new AtomicBoolean();

        Permit(ConcurrencyLimit limit) {
            this.limit = limit;
        }

        void held() {
            held.set(true);
        }

        void release() {
            if (held.compareAndSet(true, false)) {
                limit.release();
            }
        }
    }

    /** Client settings and per-target limits. */
    public static final class Builder {
        private int defaultLimit = 64;
        private final Map<String, Integer> limits = new ConcurrentHashMap<>();
        private final Map<String, double[]> rates = new ConcurrentHashMap<>();
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration responseTimeout = Duration.ofSeconds(30);
        private Map<String, String> environment = Map.of();

        private Builder() {}

        /** Concurrent calls per target when none is declared (default 64). */
        public Builder defaultLimit(int maxConcurrent) {
            defaultLimit = checkLimit(maxConcurrent);
            return this;
        }

        /** At most {@code maxConcurrent} calls to {@code target} at once; others park {@code backpressure}. */
        public Builder limit(String target, int maxConcurrent) {
            limits.put(target, checkLimit(maxConcurrent));
            return this;
        }

        /** At most {@code perSecond} calls to {@code target} per second, one at a time. */
        public Builder rateLimit(String target, double perSecond) {
            return rateLimit(target, perSecond, 1);
        }

        /** At most {@code perSecond} calls per second, with bursts of {@code burst} after a quiet spell. */
        public Builder rateLimit(String target, double perSecond, int burst) {
            if (!(perSecond > 0) || perSecond > 1e6) {
                throw new IllegalArgumentException("rate limit must be > 0 and <= 1000000 per second, got " + perSecond);
            }
            if (burst < 1) {
                throw new IllegalArgumentException("rate limit burst must be >= 1, got " + burst);
            }
            rates.put(target, new double[] {perSecond, burst});
            return this;
        }

        public Builder connectTimeout(Duration value) {
            connectTimeout = positive("connect timeout", value);
            return this;
        }

        /** The client's own limit on one call, from its start to the end of the response; an effect timeout, when shorter, fires first. */
        public Builder responseTimeout(Duration value) {
            responseTimeout = positive("response timeout", value);
            return this;
        }

        /** Applies every variable set in the environment over the values given in code. */
        public HttpEffects build() {
            Env env = new Env(environment);
            defaultLimit = env.integer(MAX_CONCURRENT, defaultLimit, 1, 1_000_000);
            connectTimeout = env.duration(CONNECT_TIMEOUT, connectTimeout, Duration.ofMillis(1));
            responseTimeout = env.duration(RESPONSE_TIMEOUT, responseTimeout, Duration.ofMillis(1));
            return new HttpEffects(this);
        }

        private static int checkLimit(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("concurrency limit must be >= 1, got " + n);
            }
            return n;
        }

        private static Duration positive(String what, Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be > 0, got " + d);
            }
            return d;
        }
    }
}
