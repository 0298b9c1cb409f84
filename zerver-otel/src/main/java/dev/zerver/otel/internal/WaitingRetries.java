package dev.zerver.otel.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * Export retries waiting for their time, for the OTLP/HTTP and gRPC clients. Each ends exactly
 * once: run by its timer, or given up when the exporter stops. A timer shut down with
 * {@code shutdownNow} never runs what it held, and an export left unanswered would never be
 * counted as dropped.
 */
final class WaitingRetries {
    private final Set<Runnable> giveUps = ConcurrentHashMap.newKeySet();

    /**
     * Hands {@code retry} to {@code timer}; {@code giveUp} runs instead if the timer refuses it
     * (it was shut down) or {@link #giveUpAll} comes first.
     */
    void schedule(Consumer<Runnable> timer, Runnable retry, Runnable giveUp) {
        Runnable token = giveUp::run; // an object of its own, whatever the caller passes
        giveUps.add(token);
        try {
            timer.accept(() -> {
                if (giveUps.remove(token)) {
                    retry.run();
                }
            });
        } catch (RejectedExecutionException stopped) {
            if (giveUps.remove(token)) {
                token.run();
            }
        }
    }

    /** Gives up every retry still waiting; a timer that runs one later does nothing. */
    void giveUpAll() {
        for (Runnable token : giveUps) {
            if (giveUps.remove(token)) {
                token.run();
            }
        }
    }

    /** Retries waiting now. */
    int size() {
        return giveUps.size();
    }
}
