package dev.zerver.examples.blog;

import dev.zerver.config.ConfigException;
import dev.zerver.config.Env;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The blog's settings: environment variables, overridden by command-line flags. Each flag names a
 * variable; framework settings ({@code ZER_VER_*}) are used wherever one exists.
 */
final class BlogConfig {
    static final String COMMENTS_URL = "BLOG_COMMENTS_URL";
    static final String COMMENTS_RATE_LIMIT = "BLOG_COMMENTS_RATE_LIMIT";
    static final String DEFAULT_DB_URL = "jdbc:sqlite:blog.db";
    /** The trace viewer's port when the blog runs as a program (tests and embedders start without it). */
    static final String DEFAULT_VIEWER_PORT = "8089";

    /** Flag, the variable it sets, and what it means (for --help). */
    static final String[][] FLAGS = {
        {"--host", "ZER_VER_HOST", "address to listen on (127.0.0.1)"},
        {"--port", "ZER_VER_PORT", "port to listen on (8080; 0 picks a free one)"},
        {"--db-url", "ZER_VER_DB_URL", "JDBC URL (" + DEFAULT_DB_URL + "; jdbc:postgresql://... works too)"},
        {"--db-pool-size", "ZER_VER_DB_POOL_SIZE", "database connections (4)"},
        {"--step-workers", "ZER_VER_STEP_WORKERS", "workers running steps (number of cores)"},
        {"--effect-workers", "ZER_VER_EFFECT_WORKERS", "workers running effects (4 x cores)"},
        {"--step-queue-capacity", "ZER_VER_STEP_QUEUE_CAPACITY", "step jobs that may wait (1024)"},
        {"--effect-queue-capacity", "ZER_VER_EFFECT_QUEUE_CAPACITY", "effect jobs that may wait (4096)"},
        {"--comments-url", COMMENTS_URL, "base URL of the comments service (this server)"},
        {"--comments-rate-limit", COMMENTS_RATE_LIMIT, "comment fetches per second, 0 for no limit (0)"},
        {"--viewer-port", "ZER_VER_VIEWER_PORT", "trace viewer port, on loopback (" + DEFAULT_VIEWER_PORT + "; off turns it off)"},
    };

    private BlogConfig() {}

    /** The environment with the flags applied; a flag it does not know stops start-up with one line. */
    static Map<String, String> merge(Map<String, String> environment, String[] args) {
        Map<String, String> out = new LinkedHashMap<>(environment);
        out.putIfAbsent("ZER_VER_DB_URL", DEFAULT_DB_URL);
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            int eq = arg.indexOf('=');
            String flag = eq < 0 ? arg : arg.substring(0, eq);
            String value;
            if (eq >= 0) {
                value = arg.substring(eq + 1);
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                value = args[++i]; // --flag value
            } else {
                value = null;
            }
            String variable = variableOf(flag);
            if (variable == null || value == null) {
                throw new ConfigException(flag, value == null ? "" : value,
                        "one of the flags listed by --help, written --flag=value or --flag value");
            }
            out.put(variable, value);
        }
        return out;
    }

    static String usage() {
        StringBuilder s = new StringBuilder("Usage: java -jar zerver-blog.jar [--flag=value | --flag value ...]\n\n");
        for (String[] f : FLAGS) {
            s.append(String.format("  %-26s %-32s %s%n", f[0] + "=...", "(" + f[1] + ")", f[2]));
        }
        s.append("\nEvery ZER_VER_* and OTEL_* variable of the README applies too; flags win over the environment.\n");
        return s.toString();
    }

    private static String variableOf(String flag) {
        for (String[] f : FLAGS) {
            if (f[0].equals(flag)) {
                return f[1];
            }
        }
        return null;
    }

    /** Comment fetches per second, 0 for none. */
    static double commentsRateLimit(Map<String, String> config) {
        return new Env(config).parse(COMMENTS_RATE_LIMIT, 0.0, v -> {
            double d = Double.parseDouble(v);
            if (!(d >= 0 && d <= 1_000_000)) {
                throw new IllegalArgumentException();
            }
            return d;
        }, "a number of requests per second from 0 (no limit) to 1000000");
    }

    /**
     * {@code path} under the comments service's base URL, the base's own query kept at the end:
     * {@code http://c:9000/svc?key=k} and {@code /blogs/api/posts/1/comments} give
     * {@code http://c:9000/svc/blogs/api/posts/1/comments?key=k}.
     */
    static String resolve(String base, String path) {
        int q = base.indexOf('?');
        return q < 0 ? base + path : base.substring(0, q) + path + base.substring(q);
    }

    /** The comments service's base URL (its query, if any, kept), or null for this server itself. */
    static String commentsUrl(Map<String, String> config) {
        return new Env(config).parse(COMMENTS_URL, null, v -> {
            java.net.URI uri = java.net.URI.create(v);
            if (uri.getHost() == null || !(v.startsWith("http://") || v.startsWith("https://"))) {
                throw new IllegalArgumentException();
            }
            int q = v.indexOf('?');
            String path = q < 0 ? v : v.substring(0, q);
            String query = q < 0 ? "" : v.substring(q);
            return (path.endsWith("/") ? path.substring(0, path.length() - 1) : path) + query;
        }, "an http:// or https:// base URL such as http://127.0.0.1:9000");
    }
}
