/**
 * Deterministic mode for tests: a {@link dev.zerver.testing.ManualClock}, a
 * {@link dev.zerver.testing.ManualScheduler} with which a test takes every queued job and moves
 * time (so parked jobs resume exactly when the test says), {@link dev.zerver.testing.InProcess}
 * to send requests without HTTP, and {@link dev.zerver.testing.ScriptedEffects}, an in-memory
 * effect handler whose parks and results a test scripts.
 *
 * <pre>{@code
 * ManualScheduler scheduler = new ManualScheduler();
 * Zerver app = Zerver.builder().scheduling(scheduler).effectHandler(new ScriptedEffects())...build();
 * InProcess.Exchange ex = InProcess.send(app, InboundRequest.builder().uri("/posts/1").build());
 * scheduler.runUntilIdle();          // route match, steps, effect jobs up to their parks
 * scheduler.advance(Duration.ofMillis(3));  // parks end, continuations queue
 * scheduler.runUntilIdle();
 * ex.response();                     // the answer, exactly reproducible
 * }</pre>
 */
package dev.zerver.testing;
