package dev.zerver.examples.hello;

import dev.zerver.Decision;
import dev.zerver.Response;
import dev.zerver.Slot;
import dev.zerver.Step;
import dev.zerver.Zerver;
import dev.zerver.config.ConfigException;
import dev.zerver.otel.ZerverOtel;
import java.util.Map;

/**
 * The smallest Zerver application: two routes, a before-step that fills a slot, and OpenTelemetry
 * traces (a console timeline per request on the embedded defaults).
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
                // Traces: a console timeline per request by default, OTLP with OTEL_EXPORTER_OTLP_ENDPOINT.
                .listener(ZerverOtel.builder().settings(s -> s.serviceName("zerver-hello")).build());
    }

    public static void main(String[] args) {
        Zerver zerver;
        try {
            zerver = app().build(); // both the runtime's and the trace settings are validated here
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
        // start() logged where it listens and registered the shutdown hook (Ctrl-C stops gracefully).
        zerver.describeSettings().forEach((k, v) -> System.out.println("  " + k + "=" + v));
        System.out.println("try: curl http://" + zerver.settings().host() + ":" + zerver.port() + "/hello/ana");
    }
}
