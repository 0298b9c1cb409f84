package dev.zerver.spi;


/**
 * Who takes jobs and whose clock and timers the runtime uses. The default is the system clock
 * with worker threads; {@code dev.zerver.testing.ManualScheduler} lets a test take every job and
 * move time itself.
 */
public interface Scheduling {
    Clock clock();

    /** The timers, or null for the runtime's own system timers. */
    Timers timers();

    /** Whether jobs are taken by the caller instead of worker threads. */
    boolean manual();

    /** Called once with the job system the runtime built. */
    void attach(JobQueues jobs);

    /** The system clock, system timers and worker threads. */
    static Scheduling system() {
        return new Scheduling() {
            @Override
            public Clock clock() {
                return Clock.system();
            }

            @Override
            public Timers timers() {
                return null;
            }

            @Override
            public boolean manual() {
                return false;
            }

            @Override
            public void attach(JobQueues jobs) {}
        };
    }
}
