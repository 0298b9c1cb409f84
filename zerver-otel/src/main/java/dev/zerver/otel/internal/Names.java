package dev.zerver.otel.internal;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Span names and path-parameter keys, made once per distinct step, effect, route or parameter
 * instead of concatenated per request. Their inputs come from the application's code and the
 * router (never from a request's data), so the tables stay small; past a bound, names are made
 * per use and not kept.
 */
final class Names {
    private static final int MAX = 4096;
    private static final ConcurrentHashMap<String, String> STEPS = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<String, String> RESUMES = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<String, ConcurrentHashMap<String, String>> SERVER = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<String, ConcurrentHashMap<String, String>> EFFECTS = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<String, AttrKey> PATH_PARAMS = new ConcurrentHashMap<>();

    private Names() {}

    /** {@code step.{name}}. */
    static String step(String name) {
        String n = STEPS.get(name);
        return n != null ? n : remember(STEPS, name, "step." + name);
    }

    /** {@code step.{name}.resume}. */
    static String resume(String name) {
        String n = RESUMES.get(name);
        return n != null ? n : remember(RESUMES, name, "step." + name + ".resume");
    }

    /** {@code http.server: {METHOD} {route}}, or without the route when none matched. */
    static String server(String knownMethod, String route) {
        String key = route == null ? "" : route;
        ConcurrentHashMap<String, String> byMethod = SERVER.get(key);
        if (byMethod == null) {
            if (SERVER.size() >= MAX) {
                return HttpMethods.serverSpanName(knownMethod, route);
            }
            byMethod = SERVER.computeIfAbsent(key, k -> new ConcurrentHashMap<>());
        }
        String n = byMethod.get(knownMethod);
        return n != null ? n : remember(byMethod, knownMethod, HttpMethods.serverSpanName(knownMethod, route));
    }

    /** {@code {kind}.{operation} {target}}. */
    static String effect(String kind, String operation, String target) {
        ConcurrentHashMap<String, String> byTarget = EFFECTS.get(target);
        if (byTarget == null) {
            if (EFFECTS.size() >= MAX) {
                return kind + "." + operation + " " + target;
            }
            byTarget = EFFECTS.computeIfAbsent(target, k -> new ConcurrentHashMap<>());
        }
        // kind and operation are few per target: look them up by the operation, check the kind
        String n = byTarget.get(operation);
        if (n != null && n.startsWith(kind) && n.length() > kind.length() && n.charAt(kind.length()) == '.') {
            return n;
        }
        String made = kind + "." + operation + " " + target;
        if (n == null && byTarget.size() < 64) {
            byTarget.putIfAbsent(operation, made);
        }
        return made;
    }

    /** The key {@code url.path.params.{name}}. */
    static AttrKey pathParam(String name) {
        AttrKey k = PATH_PARAMS.get(name);
        if (k == null) {
            k = AttrKey.of("url.path.params." + name);
            if (PATH_PARAMS.size() < MAX) {
                PATH_PARAMS.putIfAbsent(name, k);
            }
        }
        return k;
    }

    private static String remember(ConcurrentHashMap<String, String> table, String key, String name) {
        if (table.size() < MAX) {
            table.putIfAbsent(key, name);
        }
        return name;
    }
}
