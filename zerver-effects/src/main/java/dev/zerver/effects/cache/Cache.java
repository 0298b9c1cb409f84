package dev.zerver.effects.cache;

import dev.zerver.Effect;
import dev.zerver.EffectKind;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * In-process cache effects, executed by {@link CacheEffects} on Caffeine. A miss is a success
 * that leaves the slot empty and records {@code cache.hit=false}.
 *
 * <pre>{@code
 * Cache.get("author_profile", authorId).into(AUTHOR).optional()
 * Cache.put("author_profile", authorId, profile)
 * }</pre>
 */
public final class Cache {
    /** Compiled once: cache effects are made on every request. */
    private static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9_.\\-]{1,64}");

    private Cache() {}

    /** What a cache effect asks for. */
    public record Request(String operation, String namespace, String key, Object value) {}

    public static Effect get(String namespace, String key) {
        return effect("get", namespace, key, null);
    }

    /** Stores {@code value} under {@code key} for the namespace's time to live. */
    public static Effect put(String namespace, String key, Object value) {
        return effect("put", namespace, key, Objects.requireNonNull(value, "value"));
    }

    public static Effect delete(String namespace, String key) {
        return effect("delete", namespace, key, null);
    }

    private static Effect effect(String operation, String namespace, String key, Object value) {
        if (namespace == null || !NAMESPACE.matcher(namespace).matches()) {
            throw new IllegalArgumentException("cache namespace must be a short name (letters, digits, _ . -), got '"
                    + namespace + "'");
        }
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("cache key must not be empty");
        }
        return Effect.of(EffectKind.CACHE, operation, namespace, new Request(operation, namespace, key, value));
    }
}
