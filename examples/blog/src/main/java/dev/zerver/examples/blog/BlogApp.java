package dev.zerver.examples.blog;

import dev.zerver.Zerver;
import dev.zerver.config.ConfigException;
import dev.zerver.effects.cache.CacheEffects;
import dev.zerver.effects.db.JdbcEffects;
import dev.zerver.effects.http.HttpEffects;
import dev.zerver.otel.ZerverOtel;
import dev.zerver.otel.viewer.ViewerSettings;
import dev.zerver.telemetry.RecordListener;
import dev.zerver.telemetry.Redaction;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The reference application: a blog with a JSON API and HTML pages, on SQLite by default, with a
 * trace (a console timeline by default) for every request.
 */
public final class BlogApp implements AutoCloseable {
    private final Zerver zerver;
    private final JdbcEffects db;
    private final ZerverOtel otel;
    private final String commentsUrl;
    private final double commentsRate;

    private BlogApp(Map<String, String> config, List<RecordListener> extraListeners) throws Exception {
        commentsUrl = BlogConfig.commentsUrl(config);
        commentsRate = BlogConfig.commentsRateLimit(config);
        otel = ZerverOtel.builder().environment(config).settings(s -> s.serviceName("zerver-blog")).build();
        db = JdbcEffects.builder(config).build();
        try {
            Schema.prepare(db);
            HttpEffects.Builder http = HttpEffects.builder(config).responseTimeout(Duration.ofSeconds(5));
            if (commentsRate > 0) {
                http.rateLimit("comments", commentsRate);
            }
            AtomicReference<String> base = new AtomicReference<>(commentsUrl);
            Zerver.Builder app = Zerver.builder()
                    .environment(config)
                    .effectHandler(db)
                    .effectHandler(http.build())
                    .effectHandler(CacheEffects.builder(config).namespace("author_profile", Duration.ofMinutes(5), 10_000).build())
                    .listener(otel);
            extraListeners.forEach(app::listener);
            Api.routes(app);
            Pages.routes(app, base::get);
            zerver = app.build();
            zerver.start();
            if (commentsUrl == null) {
                base.set("http://127.0.0.1:" + zerver.port()); // by default the comments API of this very server
            }
        } catch (Exception | Error e) {
            db.close();
            otel.close();
            throw e;
        }
    }

    /**
     * Starts the blog with these settings (environment variables, flags already applied).
     *
     * @throws ConfigException naming a malformed setting
     */
    public static BlogApp start(Map<String, String> config) throws Exception {
        return new BlogApp(config, List.of());
    }

    /** As {@link #start(Map)}, also handing every finished request's record to {@code listeners} (benchmarks, tools). */
    public static BlogApp start(Map<String, String> config, List<RecordListener> listeners) throws Exception {
        return new BlogApp(config, List.copyOf(listeners));
    }

    public int port() {
        return zerver.port();
    }

    public Zerver zerver() {
        return zerver;
    }

    public ZerverOtel otel() {
        return otel;
    }

    /** The settings a user tunes, with their effective values: every module's, then the blog's own. */
    public Map<String, String> describe() {
        Map<String, String> m = new java.util.LinkedHashMap<>(zerver.describeSettings());
        m.put(BlogConfig.COMMENTS_URL, Redaction.setting(BlogConfig.COMMENTS_URL,
                commentsUrl == null ? "http://127.0.0.1:" + port() + " (this server)" : commentsUrl));
        m.put(BlogConfig.COMMENTS_RATE_LIMIT, commentsRate == 0 ? "0 (no limit)" : commentsRate + "/s");
        return m;
    }

    @Override
    public void close() {
        zerver.stop(); // closes the effect handlers and the trace exporter too
    }

    public static void main(String[] args) {
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
            System.out.print(BlogConfig.usage());
            return;
        }
        // One line per log record ("WARNING: ..."), unless the user chose a format.
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%4$s: %5$s%6$s%n");
        }
        // The pool's start-up chatter adds nothing to the settings printed below.
        java.util.logging.Logger.getLogger("com.zaxxer.hikari").setLevel(java.util.logging.Level.WARNING);
        BlogApp blog;
        try {
            Map<String, String> config = BlogConfig.merge(System.getenv(), args);
            config.putIfAbsent(ViewerSettings.PORT, BlogConfig.DEFAULT_VIEWER_PORT);
            blog = start(config);
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        } catch (Exception e) {
            System.err.println("zerver-blog could not start: " + e.getMessage());
            System.exit(1);
            return;
        }
        System.out.println("Zerver blog settings:");
        blog.describe().forEach((k, v) -> System.out.println("  " + k + "=" + v));
        String url = "http://127.0.0.1:" + blog.port();
        System.out.println("Zerver blog on " + url + "/blogs  (try: curl " + url + "/blogs/posts/1; Ctrl-C stops)");
        blog.otel().viewer().ifPresent(v -> System.out.println("Trace viewer on " + v.uri() + "  (every request of the blog, as a waterfall)"));
    }
}
