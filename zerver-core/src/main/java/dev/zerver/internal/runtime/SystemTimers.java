package dev.zerver.internal.runtime;

import dev.zerver.spi.Timers;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** Timers on one daemon thread of the system clock. */
final class SystemTimers implements Timers, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SystemTimers.class.getName());
    private final ScheduledThreadPoolExecutor executor;

    SystemTimers() {
        executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "zerver-timers");
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        // The executor wakes its thread whenever a new timer becomes the earliest. Every request
        // schedules its deadline (30 s by default), and on a lightly loaded server that one is
        // often the only timer: a thread wake-up per request. A no-op due every second keeps an
        // earlier timer at the head, so long timers queue silently; shorter ones still wake the
        // thread, and every timer still fires on time.
        executor.scheduleAtFixedRate(() -> {}, 1, 1, TimeUnit.SECONDS);
    }

    @Override
    public Timer schedule(long delayNanos, Runnable task) {
        var future = executor.schedule(() -> {
            try {
                task.run();
            } catch (Throwable t) {
                LOG.log(System.Logger.Level.ERROR, "timer task failed", t);
            }
        }, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        return () -> future.cancel(false);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
