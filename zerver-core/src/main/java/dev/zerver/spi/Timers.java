package dev.zerver.spi;

/**
 * Runs a task after a delay on the runtime's clock: retry backoffs, effect timeouts, timer
 * effects, request deadlines. A waiting task holds no worker. Tasks must be short: anything
 * substantial is enqueued as a job.
 */
public interface Timers {
    /** Runs {@code task} once {@code delayNanos} have passed. */
    Timer schedule(long delayNanos, Runnable task);

    /** A scheduled task. */
    interface Timer {
        /** Stops the task if it has not run yet; returns whether it was stopped. */
        boolean cancel();
    }
}
