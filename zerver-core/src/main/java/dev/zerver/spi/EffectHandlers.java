package dev.zerver.spi;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The handlers an application registered, looked up by request class. */
public final class EffectHandlers {
    private final Map<Class<?>, EffectHandler<?>> byType = new LinkedHashMap<>();

    public EffectHandlers(List<EffectHandler<?>> handlers) {
        for (EffectHandler<?> h : handlers) {
            EffectHandler<?> previous = byType.put(h.requestType(), h);
            if (previous != null) {
                throw new IllegalArgumentException("two effect handlers for " + h.requestType().getName() + ": "
                        + previous.getClass().getName() + " and " + h.getClass().getName());
            }
        }
    }

    /** Closes the handlers that hold resources (connection pools, clients); errors are logged, not thrown. */
    public void close() {
        for (EffectHandler<?> h : byType.values()) {
            if (h instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    System.getLogger(EffectHandlers.class.getName()).log(System.Logger.Level.WARNING,
                            "closing effect handler " + h.getClass().getName() + " failed", e);
                }
            }
        }
    }

    /** The handler for this request's class (or a supertype of it), or null. */
    @SuppressWarnings("unchecked")
    public <R> EffectHandler<R> find(R request) {
        EffectHandler<?> h = byType.get(request.getClass());
        if (h == null) {
            for (Map.Entry<Class<?>, EffectHandler<?>> e : byType.entrySet()) {
                if (e.getKey().isInstance(request)) {
                    h = e.getValue();
                    break;
                }
            }
        }
        return (EffectHandler<R>) h;
    }
}
