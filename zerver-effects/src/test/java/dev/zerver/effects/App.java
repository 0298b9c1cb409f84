package dev.zerver.effects;

import dev.zerver.Zerver;
import dev.zerver.spi.InboundRequest;
import dev.zerver.spi.EffectHandler;
import dev.zerver.telemetry.RequestRecord;
import dev.zerver.testing.InProcess;
import dev.zerver.testing.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** An application for effect tests: real worker pools, or the deterministic scheduler. */
public final class App implements AutoCloseable {
    public final InProcess.Records records = new InProcess.Records();
    public final ManualScheduler scheduler;
    public final Zerver zerver;

    private App(ManualScheduler scheduler, Map<String, String> env, List<EffectHandler<?>> handlers,
            Consumer<Zerver.Builder> routes) {
        this.scheduler = scheduler;
        Zerver.Builder b = Zerver.builder().environment(env).port(0).listener(records);
        if (scheduler != null) {
            b.scheduling(scheduler);
        }
        handlers.forEach(b::effectHandler);
        routes.accept(b);
        zerver = b.build();
        if (scheduler == null) {
            zerver.start();
        }
    }

    /** Real worker pools and timers (no HTTP listener is used; requests go in process). */
    public static App real(Map<String, String> env, List<EffectHandler<?>> handlers, Consumer<Zerver.Builder> routes) {
        return new App(null, env, handlers, routes);
    }

    /** The deterministic scheduler. */
    public static App manual(Map<String, String> env, List<EffectHandler<?>> handlers,
            Consumer<Zerver.Builder> routes) {
        return manual(new ManualScheduler(), env, handlers, routes);
    }

    /** This deterministic scheduler (handlers built before the app may share its clock). */
    public static App manual(ManualScheduler scheduler, Map<String, String> env, List<EffectHandler<?>> handlers,
            Consumer<Zerver.Builder> routes) {
        return new App(scheduler, env, handlers, routes);
    }

    public InProcess.Exchange send(String method, String uri) {
        return InProcess.send(zerver, InboundRequest.builder().method(method).uri(uri).build());
    }

    /** Sends and waits for the finished record (real pools). */
    public RequestRecord call(String method, String uri) throws Exception {
        send(method, uri).await(30, TimeUnit.SECONDS);
        return record();
    }

    /** The next finished record, waiting up to 30 s. */
    public RequestRecord record() throws InterruptedException {
        RequestRecord r = records.take(30, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("no finished record within 30 s");
        }
        return r;
    }

    public List<RequestRecord> records(int n) throws InterruptedException {
        List<RequestRecord> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            all.add(record());
        }
        return all;
    }

    @Override
    public void close() {
        zerver.stop(Duration.ofSeconds(5));
    }
}
