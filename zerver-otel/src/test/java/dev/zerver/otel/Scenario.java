package dev.zerver.otel;

import dev.zerver.Decision;
import dev.zerver.Effect;
import dev.zerver.EffectKind;
import dev.zerver.Join;
import dev.zerver.Need;
import dev.zerver.Response;
import dev.zerver.RetryPolicy;
import dev.zerver.Slot;
import dev.zerver.Step;
import dev.zerver.Zerver;
import dev.zerver.spi.InboundRequest;
import dev.zerver.telemetry.RequestRecord;
import dev.zerver.testing.InProcess;
import dev.zerver.testing.ManualScheduler;
import dev.zerver.testing.ScriptedEffects;
import dev.zerver.testing.ScriptedEffects.Script;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A small blog-like application on the real runtime in deterministic mode, whose effects are
 * scripted (they park, fail and record family attributes as the real handlers do), and the
 * trace each request yields.
 */
public final class Scenario {
    static final Slot<String> USER = Slot.of("user", String.class);
    static final Slot<String> POST = Slot.of("post", String.class);
    static final Slot<String> AUTHOR = Slot.of("author", String.class);
    static final Slot<String> COMMENTS = Slot.of("comments", String.class);

    public final ManualScheduler scheduler = new ManualScheduler();
    final InProcess.Records records = new InProcess.Records();
    public final Map<String, Script> scripts = new HashMap<>();
    public final Zerver app;
    public final ZerverOtel otel;
    private RetryPolicy dbRetry = RetryPolicy.none();

    public Scenario(Map<String, String> env) {
        this(env, null);
    }

    /** With a real database: {@code /posts/{id}} reads table {@code posts} through {@code database}. */
    public Scenario(Map<String, String> env, dev.zerver.effects.db.JdbcEffects database) {
        scripts.put("post", db(Script.returning("post-7")));
        scripts.put("author", cache(Script.returning("author-ana")));
        scripts.put("comments", http(Script.returning("[]"), 200));
        otel = ZerverOtel.builder().environment(withNoExport(env)).build();
        Step requestLog = Step.named("request_log").run(ctx -> Decision.next());
        Step auth = Step.named("auth").writes(USER).run(ctx -> {
            ctx.put(USER, "ana");
            return Decision.next();
        });
        Step loadPost = Step.named("load_post").writes(POST).run(ctx -> Need.parallel(
                        (database != null ? dev.zerver.effects.db.Db.get("posts", ctx.param("id"))
                                : ScriptedEffects.effect(EffectKind.DB, "get", "posts", scripts.get("post"))).into(POST)
                                .timeout(Duration.ofSeconds(2)).retry(dbRetry))
                .join(Join.ALL)
                .continueWith("check_post", c -> c.optional(POST).isPresent()
                        ? Decision.next() : Decision.fail(404, "post", "not_found")));
        Step render = Step.named("render_post").reads(POST).run(ctx -> {
            String html = "<h1>" + ctx.require(POST) + "</h1>";
            ctx.rendered("template", html.length());
            return Decision.done(Response.html(html));
        });
        Step loadPage = Step.named("load_page").writes(POST, AUTHOR, COMMENTS).run(ctx -> Need.parallel(
                        ScriptedEffects.effect(EffectKind.DB, "get", "posts", scripts.get("post")).into(POST),
                        ScriptedEffects.effect(EffectKind.CACHE, "get", "author_profile", scripts.get("author")).into(AUTHOR),
                        ScriptedEffects.effect(EffectKind.HTTP, "get", "comments", scripts.get("comments")).into(COMMENTS))
                .join(Join.ALL));
        Step renderPage = Step.named("render_page").reads(POST, AUTHOR, COMMENTS).run(ctx ->
                Decision.done(Response.text(ctx.require(POST) + ctx.require(AUTHOR) + ctx.require(COMMENTS))));
        Step mirror = Step.named("load_mirror").writes(COMMENTS).run(ctx -> Need.parallel(
                        ScriptedEffects.effect(EffectKind.HTTP, "get", "comments_primary", scripts.get("primary"))
                                .into(COMMENTS).optional(),
                        ScriptedEffects.effect(EffectKind.HTTP, "get", "comments_mirror", scripts.get("mirror"))
                                .into(COMMENTS).optional())
                .join(Join.FIRST_SUCCESS)
                .continueWith("show", c -> Decision.done(Response.text(c.optional(COMMENTS).orElse("none")))));
        Step chain = Step.named("load_chain").writes(POST, COMMENTS).run(ctx -> Need.parallel(
                        ScriptedEffects.effect(EffectKind.DB, "get", "posts", scripts.get("post")).into(POST))
                .continueWith("after_post", c -> Need.parallel(
                                ScriptedEffects.effect(EffectKind.HTTP, "get", "comments", scripts.get("comments")).into(COMMENTS))
                        .continueWith("after_comments", c2 -> Decision.done(Response.text(c2.require(POST) + c2.require(COMMENTS))))));
        Zerver.Builder builder = Zerver.builder();
        if (database != null) {
            builder.effectHandler(database);
        }
        app = builder
                .environment(Map.of())
                .scheduling(scheduler)
                .effectHandler(new ScriptedEffects())
                .listener(records)
                .listener(otel) // its head sampler decides at the start; with no exporter it exports nothing
                .before(requestLog)
                .route("GET", "/posts/{id}", r -> r.before(auth).step(loadPost, render))
                .get("/pages/{id}", loadPage, renderPage)
                .get("/mirror", mirror)
                .get("/chain", chain)
                .build();
    }

    private static Map<String, String> withNoExport(Map<String, String> env) {
        Map<String, String> m = new HashMap<>(env);
        m.putIfAbsent(OtelSettings.TRACES_EXPORTER, "none");
        return m;
    }

    Scenario dbRetry(RetryPolicy policy) {
        dbRetry = policy;
        return this;
    }

    /** What the real db handler records for {@code Db.get("posts", id)} on SQLite. */
    public static Script db(Script base) {
        return base
                .attribute("db.system.name", "sqlite")
                .attribute("db.operation.name", "GET")
                .attribute("db.collection.name", "posts")
                .attribute("db.namespace", "blog")
                .attribute("db.query.text", "SELECT * FROM posts WHERE id = ?");
    }

    static Script cache(Script base) {
        return base
                .attribute("cache.system", "caffeine")
                .attribute("cache.operation", "get")
                .attribute("cache.hit", true);
    }

    /** What the real http handler records (the URL already redacted). */
    static Script http(Script base, int status) {
        return base
                .attribute("http.request.method", "GET")
                .attribute("url.full", "http://comments.internal:9000/comments?post=7&token=REDACTED")
                .attribute("server.address", "comments.internal")
                .attribute("server.port", 9000L)
                .attribute("http.response.status_code", (long) status);
    }

    public InProcess.Exchange send(String uri) {
        return InProcess.send(app, InboundRequest.builder().method("GET").uri(uri)
                .header("host", "blog.example:8080")
                .header("user-agent", "golden/1.0")
                .client("10.0.0.7", 51234)
                .local("127.0.0.1", 8080)
                .build());
    }

    /** The finished record of the request that just ended. */
    public RequestRecord record() throws InterruptedException {
        RequestRecord r = records.take(1, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("no record: the request did not finish");
        }
        return r;
    }

    public List<SpanData> trace() throws InterruptedException {
        return otel.spansOf(record());
    }
}
