package dev.zerver.internal.runtime;

import dev.zerver.spi.InboundRequest;
import dev.zerver.Response;
import dev.zerver.Zerver;
import dev.zerver.telemetry.RequestRecord;
import dev.zerver.testing.InProcess;
import dev.zerver.testing.ManualScheduler;
import dev.zerver.testing.ScriptedEffects;
import java.util.Map;
import java.util.function.Consumer;

/** An application in deterministic mode, with scripted effects and a record collector. */
final class Deterministic {
    final ManualScheduler scheduler = new ManualScheduler();
    final InProcess.Records records = new InProcess.Records();
    final Zerver app;

    Deterministic(Consumer<Zerver.Builder> routes) {
        this(Map.of(), routes);
    }

    Deterministic(Map<String, String> env, Consumer<Zerver.Builder> routes) {
        Zerver.Builder b = Zerver.builder().environment(env).scheduling(scheduler)
                .effectHandler(new ScriptedEffects()).listener(records);
        routes.accept(b);
        app = b.build();
    }

    InProcess.Exchange send(String method, String uri) {
        return InProcess.send(app, InboundRequest.builder().method(method).uri(uri).build());
    }

    InProcess.Exchange send(InboundRequest request) {
        return InProcess.send(app, request);
    }

    /** Sends, runs everything to completion, returns the response. */
    Response call(String method, String uri) {
        InProcess.Exchange ex = send(method, uri);
        scheduler.runToCompletion();
        return ex.response();
    }

    RequestRecord record() {
        RequestRecord r = records.poll();
        if (r == null) {
            throw new AssertionError("no finished record");
        }
        return r;
    }
}
