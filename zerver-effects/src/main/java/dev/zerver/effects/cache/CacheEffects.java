package dev.zerver.effects.cache;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.zerver.Effect;
import dev.zerver.config.Env;
import dev.zerver.config.KnownSettings;
import dev.zerver.spi.Clock;
import dev.zerver.spi.EffectContext;
import dev.zerver.spi.EffectHandler;
import dev.zerver.spi.EffectResult;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Executes {@link Cache} effects on Caffeine, one cache per namespace with its own time to live
 * and size bound. Namespaces not declared get the defaults.
 *
 * <pre>{@code
 * CacheEffects cache = CacheEffects.builder()
 *     .namespace("author_profile", Duration.ofMinutes(5), 10_000)
 *     .build();
 * }</pre>
 */
public final class CacheEffects implements KnownSettings, EffectHandler<Cache.Request> {
    /** Time to live of the entries of namespaces not declared in code. */
    public static final String TTL = "ZER_VER_CACHE_TTL";
    /** Entries kept per namespace not declared in code. */
    public static final String MAX_ENTRIES = "ZER_VER_CACHE_MAX_ENTRIES";

    private record Policy(Duration ttl, long maxEntries) {}

    private final Map<String, Policy> policies;
    private final Policy defaults;
    private final Ticker ticker;
    private final Map<String, com.github.benmanes.caffeine.cache.Cache<String, Object>> caches =
            new ConcurrentHashMap<>();
    private final Map<String, LongAdder[]> hitsAndMisses = new ConcurrentHashMap<>();

    private CacheEffects(Builder b) {
        policies = Map.copyOf(b.policies);
        defaults = new Policy(b.defaultTtl, b.defaultMaxEntries);
        Clock clock = b.clock;
        ticker = clock == null ? Ticker.systemTicker() : clock::nanoTime;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder that also reads the environment: {@value #TTL} (default 5m) and
     * {@value #MAX_ENTRIES} (10000) for namespaces not declared. As everywhere in Zerver, a variable
     * that is set wins over the value given in code; declared namespaces are code only.
     */
    public static Builder builder(Map<String, String> environment) {
        Builder b = new Builder();
        b.environment = Map.copyOf(environment);
        return b;
    }

    @Override
    public Set<String> settingNames() {
        return KnownSettings.constantsOf(CacheEffects.class);
    }

    @Override
    public Map<String, String> describe() {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put(TTL, Env.format(defaults.ttl()));
        m.put(MAX_ENTRIES, Long.toString(defaults.maxEntries()));
        return m;
    }

    @Override
    public Class<Cache.Request> requestType() {
        return Cache.Request.class;
    }

    @Override
    public CompletionStage<EffectResult> execute(Cache.Request r, Effect effect, EffectContext ctx) {
        com.github.benmanes.caffeine.cache.Cache<String, Object> cache = caches.computeIfAbsent(r.namespace(),
                this::open);
        ctx.attribute("cache.system", "caffeine");
        ctx.attribute("cache.operation", r.operation());
        EffectResult result;
        switch (r.operation()) {
            case "get": {
                Object v = cache.getIfPresent(r.key());
                ctx.attribute("cache.hit", v != null);
                LongAdder[] counts = hitsAndMisses.computeIfAbsent(r.namespace(),
                        n -> new LongAdder[] {new LongAdder(), new LongAdder()});
                counts[v != null ? 0 : 1].increment();
                result = v == null ? EffectResult.empty() : EffectResult.of(v);
                break;
            }
            case "put":
                cache.put(r.key(), r.value());
                result = EffectResult.empty();
                break;
            case "delete":
                cache.invalidate(r.key());
                result = EffectResult.empty();
                break;
            default:
                throw new IllegalArgumentException("unknown cache operation " + r.operation());
        }
        return CompletableFuture.completedFuture(result);
    }

    /** Hits over lookups in {@code namespace} since start, or NaN before the first lookup. */
    public double hitRatio(String namespace) {
        LongAdder[] counts = hitsAndMisses.get(namespace);
        if (counts == null) {
            return Double.NaN;
        }
        long hits = counts[0].sum();
        long all = hits + counts[1].sum();
        return all == 0 ? Double.NaN : (double) hits / all;
    }

    private com.github.benmanes.caffeine.cache.Cache<String, Object> open(String namespace) {
        Policy p = policies.getOrDefault(namespace, defaults);
        return Caffeine.newBuilder().ticker(ticker).expireAfterWrite(p.ttl()).maximumSize(p.maxEntries()).build();
    }

    /** Namespaces and defaults. */
    public static final class Builder {
        private final Map<String, Policy> policies = new ConcurrentHashMap<>();
        private Duration defaultTtl = Duration.ofMinutes(5);
        private long defaultMaxEntries = 10_000;
        private Clock clock;
        private Map<String, String> environment = Map.of();

        private Builder() {}

        /** A namespace whose entries live {@code ttl} after being written, at most {@code maxEntries} of them. */
        public Builder namespace(String name, Duration ttl, long maxEntries) {
            policies.put(name, new Policy(checkTtl(ttl), checkSize(maxEntries)));
            return this;
        }

        /** Time to live and size for namespaces not declared. */
        public Builder defaults(Duration ttl, long maxEntries) {
            defaultTtl = checkTtl(ttl);
            defaultMaxEntries = checkSize(maxEntries);
            return this;
        }

        /** Expiry on this clock instead of the system's (deterministic tests). */
        public Builder clock(Clock value) {
            clock = value;
            return this;
        }

        /** Applies every variable set in the environment over the values given in code. */
        public CacheEffects build() {
            Env env = new Env(environment);
            defaultTtl = env.duration(TTL, defaultTtl, Duration.ofMillis(1));
            defaultMaxEntries = env.integer(MAX_ENTRIES, (int) Math.min(Integer.MAX_VALUE, defaultMaxEntries), 1,
                    Integer.MAX_VALUE);
            return new CacheEffects(this);
        }

        private static Duration checkTtl(Duration ttl) {
            if (ttl == null || ttl.isNegative() || ttl.isZero()) {
                throw new IllegalArgumentException("cache time to live must be > 0, got " + ttl);
            }
            return ttl;
        }

        private static long checkSize(long n) {
            if (n < 1) {
                throw new IllegalArgumentException("cache size must be >= 1, got " + n);
            }
            return n;
        }
    }
}
