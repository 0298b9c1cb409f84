package dev.zerver.examples.hello;

import dev.zerver.Decision;
import dev.zerver.Response;
import dev.zerver.Slot;
import dev.zerver.Step;
import dev.zerver.Zerver;
import dev.zerver.config.ConfigException;
import dev.zerver.telemetry.JobDurations;
import dev.zerver.telemetry.RequestRecord;
import dev.zerver.telemetry.StepRecord;
import java.util.Map;

/**
 * The smallest Zerver application: two routes, a before-step that fills a slot, and a listener
 * that prints one line per finished request. Runs on the embedded defaults.
 */
public final class HelloApp {
    static final Slot<String> GREETING = Slot.of("greeting", String.class);

    private HelloApp() {}

    /** The application, unstarted; tests build it with their own environment. */
    public static Zerver.Builder app() {
        Step pickGreeting = Step.named("pick_greeting").writes(GREETING).run(ctx -> {
            String lang = ctx.query("lang");
            ctx.put(GREETING, "fr".equals(lang) ? "bonjour" : "hello");
            return Decision.next();
        });
        Step greet = Step.named("greet").reads(GREETING).run(ctx -> {
            String name = ctx.param("name");
            return Decision.done(Response.text(ctx.require(GREETING) + ", " + (name == null ? "world" : name) + "\n"));
        });
        Step status = Step.named("status").run(ctx -> Decision.done(Response.json(Map.of("status", "ok"))));
        return Zerver.builder()
                .route("GET", "/hello", r -> r.before(pickGreeting).step(greet))
                .route("GET", "/hello/{name}", r -> r.before(pickGreeting).step(greet))
                .get("/status", status)
                .listener(HelloApp::printLine);
    }

    private static void printLine(RequestRecord r) {
        double ms = (r.endNanos() - r.startNanos()) / 1e6;
        StringBuilder steps = new StringBuilder();
        for (StepRecord s : r.steps()) {
            steps.append(steps.length() == 0 ? "" : " > ").append(s.name()).append('=').append(s.decision());
        }
        double queued = r.jobs().stream().mapToDouble(j -> JobDurations.millis(j.durations().queueWait())).sum();
        System.out.printf("%s %s -> %d in %.2f ms (queued %.3f ms) [%s] route=%s id=%s%n", r.method(), r.path(),
                r.status(), ms, queued, steps, r.route(), r.requestId());
    }

    public static void main(String[] args) {
        Zerver zerver;
        try {
            zerver = app().build();
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        try {
            zerver.start();
        } catch (IllegalStateException e) {
            System.err.println(e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(zerver::stop, "zerver-shutdown"));
        zerver.settings().describe().forEach((k, v) -> System.out.println("  " + k + "=" + v));
        System.out.println("Zerver hello listening on http://" + zerver.settings().host() + ":" + zerver.port()
                + "/hello  (Ctrl-C stops)");
    }
}
