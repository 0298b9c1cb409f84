package dev.zerver.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads typed values from an environment map; every malformed value becomes one
 * {@link ConfigException} line. A variable that is unset or blank falls back to the given value.
 */
public final class Env {
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    private final Map<String, String> vars;

    public Env(Map<String, String> vars) {
        this.vars = Map.copyOf(vars);
    }

    /** The process environment. */
    public static Env system() {
        return new Env(System.getenv());
    }

    /** The raw value, or null when unset or blank. */
    public String raw(String name) {
        String v = vars.get(name);
        return v == null || v.isBlank() ? null : v.trim();
    }

    /** A whole number in {@code [min, max]}. */
    public int integer(String name, int fallback, int min, int max) {
        return parse(name, fallback, v -> {
            int n = Integer.parseInt(v);
            if (n < min || n > max) {
                throw new IllegalArgumentException();
            }
            return n;
        }, "a whole number from " + min + " to " + max);
    }

    /** A number of bytes in {@code [min, max]}, optionally with a {@code k}/{@code m} suffix (1024-based). */
    public int bytes(String name, int fallback, int min, int max) {
        return parse(name, fallback, v -> {
            String lower = v.toLowerCase(Locale.ROOT);
            long factor = lower.endsWith("k") ? 1024 : lower.endsWith("m") ? 1024 * 1024 : 1;
            String digits = factor == 1 ? lower : lower.substring(0, lower.length() - 1);
            long n = Long.parseLong(digits) * factor;
            if (n < min || n > max) {
                throw new IllegalArgumentException();
            }
            return (int) n;
        }, "a size in bytes from " + min + " to " + max + " (suffix k or m allowed)");
    }

    /** {@code 0}, {@code 1}, {@code true} or {@code false}. */
    public boolean flag(String name, boolean fallback) {
        return parse(name, fallback, Env::parseFlag, "0, 1, true or false");
    }

    /** A non-empty name of letters, digits, {@code _ . -}. */
    public String name(String name, String fallback) {
        return parse(name, fallback, v -> {
            if (!v.matches("[A-Za-z0-9_.\\-]{1,64}")) {
                throw new IllegalArgumentException();
            }
            return v;
        }, "a non-empty name of letters, digits, '_', '.' or '-' (at most 64)");
    }

    /** A duration such as {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h}, at least {@code min}. */
    public Duration duration(String name, Duration fallback, Duration min) {
        return parse(name, fallback, v -> {
            Duration d = parseDuration(v);
            if (d.compareTo(min) < 0) {
                throw new IllegalArgumentException();
            }
            return d;
        }, "a duration such as 250ms, 30s, 5m or 1h, at least " + format(min));
    }

    /** Parses with {@code parser}; any exception it throws becomes the one-line error. */
    public <T> T parse(String name, T fallback, Function<String, T> parser, String accepts) {
        String v = raw(name);
        if (v == null) {
            return fallback;
        }
        try {
            return parser.apply(v);
        } catch (RuntimeException e) {
            throw new ConfigException(name, vars.get(name), accepts);
        }
    }

    static boolean parseFlag(String v) {
        switch (v.toLowerCase(Locale.ROOT)) {
            case "1":
            case "true":
                return true;
            case "0":
            case "false":
                return false;
            default:
                throw new IllegalArgumentException(v);
        }
    }

    /** Parses {@code 250ms}, {@code 30s}, {@code 5m}, {@code 1h}. */
    public static Duration parseDuration(String v) {
        Matcher m = DURATION.matcher(v.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("not a duration: " + v);
        }
        long n = Long.parseLong(m.group(1));
        switch (m.group(2)) {
            case "ms":
                return Duration.ofMillis(n);
            case "s":
                return Duration.ofSeconds(n);
            case "m":
                return Duration.ofMinutes(n);
            default:
                return Duration.ofHours(n);
        }
    }

    /** A duration as this class parses it back: {@code 250ms}, {@code 30s}. */
    public static String format(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }
}
