package dev.zerver.config;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The environment variables a part of the application reads, and their effective values. An
 * effect handler or a record listener that reads its own ({@code ZER_VER_DB_*}, {@code OTEL_*})
 * implements this, so that at start-up a {@code ZER_VER_*} variable nobody reads is reported with
 * the closest known name (a misspelling would otherwise be silently ignored), an {@code OTEL_*}
 * variable Zerver does not support is named, and {@code Zerver.describeSettings()} prints every
 * module's settings the same way.
 */
public interface KnownSettings {
    /** The variables read, e.g. {@code ZER_VER_DB_URL}. */
    Set<String> settingNames();

    /**
     * The effective value of each setting, by variable name, in a stable order. Values may hold
     * secrets; whoever prints them redacts them ({@code Zerver.describeSettings()} does).
     */
    Map<String, String> describe();

    /** The public constant string fields of {@code holder} whose values start with {@code ZER_VER_} or {@code OTEL_}. */
    static Set<String> constantsOf(Class<?> holder) {
        Set<String> names = new TreeSet<>();
        for (Field f : holder.getFields()) {
            int m = f.getModifiers();
            if (Modifier.isStatic(m) && Modifier.isFinal(m) && f.getType() == String.class) {
                try {
                    String v = (String) f.get(null);
                    if (v != null && (v.startsWith("ZER_VER_") || v.startsWith("OTEL_"))) {
                        names.add(v);
                    }
                } catch (IllegalAccessException e) {
                    // a public field of a public class: not reached
                }
            }
        }
        return names;
    }

    /**
     * One line per {@code ZER_VER_*} or {@code OTEL_*} variable in {@code environment} that none of
     * {@code known} is: a {@code ZER_VER_*} one with the closest known name when one is close.
     * {@code ZER_VER_TEST_*} is left alone (Zerver's own test suite).
     */
    static List<String> unknown(Map<String, String> environment, Collection<String> known) {
        List<String> lines = new ArrayList<>();
        for (String name : new TreeSet<>(environment.keySet())) {
            if (known.contains(name) || name.startsWith("ZER_VER_TEST_")) {
                continue;
            }
            if (name.startsWith("ZER_VER_")) {
                String closest = closest(name, known);
                lines.add(name + " is not a Zerver setting and is ignored"
                        + (closest == null ? "" : "; did you mean " + closest + "?"));
            } else if (name.startsWith("OTEL_")) {
                lines.add(name + " is not supported by Zerver and is ignored");
            }
        }
        return lines;
    }

    private static String closest(String name, Collection<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = distance(name.toUpperCase(Locale.ROOT), k);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return bestDistance <= Math.max(2, name.length() / 4) ? best : null;
    }

    /** Levenshtein distance. */
    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] t = previous;
            previous = current;
            current = t;
        }
        return previous[b.length()];
    }
}
