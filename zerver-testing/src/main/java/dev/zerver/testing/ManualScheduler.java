package dev.zerver.testing;

import dev.zerver.spi.JobQueues;
import dev.zerver.spi.Scheduling;
import dev.zerver.spi.Clock;
import dev.zerver.spi.Timers;
import java.time.Duration;
import java.util.PriorityQueue;

/**
 * Deterministic scheduling: no worker threads and no real time. Queued jobs wait until the test
 * takes them ({@link #runNext(String)}, {@link #runUntilIdle()}); timers (parks that end after a
 * while, retry backoffs, timeouts, deadlines) fire only when the test moves the clock
 * ({@link #advance(Duration)}), each at exactly its due time. Everything runs on the test's
 * thread, so the same test gives the same record, to the nanosecond, every time.
 */
public final class ManualScheduler implements Scheduling {
    private record Due(long at, long order, Runnable task, boolean[] cancelled) {}

    private final ManualClock clock;
    private final PriorityQueue<Due> timers = new PriorityQueue<>((a, b) ->
            a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.order, b.order));
    private long order;
    private JobQueues jobs;

    public ManualScheduler() {
        this(new ManualClock());
    }

    public ManualScheduler(ManualClock clock) {
        this.clock = clock;
    }

    /** The clock this scheduler moves. */
    public ManualClock manualClock() {
        return clock;
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public Timers timers() {
        return (delayNanos, task) -> {
            boolean[] cancelled = {false};
            synchronized (this) {
                timers.add(new Due(clock.nanoTime() + Math.max(0, delayNanos), order++, task, cancelled));
            }
            return () -> {
                synchronized (this) {
                    if (cancelled[0]) {
                        return false;
                    }
                    cancelled[0] = true;
                    // Still queued means not yet run: the removal is what makes the cancel true.
                    return timers.removeIf(d -> d.cancelled == cancelled);
                }
            };
        };
    }

    @Override
    public boolean manual() {
        return true;
    }

    @Override
    public void attach(JobQueues system) {
        if (jobs != null) {
            throw new IllegalStateException("a ManualScheduler drives one application");
        }
        jobs = system;
    }

    private JobQueues jobs() {
        if (jobs == null) {
            throw new IllegalStateException("build the application with .scheduling(this) first");
        }
        return jobs;
    }

    /** The continuation queue's name. */
    public String continuations() {
        return jobs().continuations();
    }

    /** The effects queue's name. */
    public String effects() {
        return jobs().effects();
    }

    /** Jobs waiting in the named queue. */
    public int queued(String queue) {
        return jobs().depth(queue);
    }

    /** Timers not yet fired. */
    public synchronized int pendingTimers() {
        return timers.size();
    }

    /** Takes and runs the head of the named queue on this thread; false if it was empty. */
    public boolean runNext(String queue) {
        return jobs().runNext(queue);
    }

    /**
     * Runs queued jobs, continuation queue first, until both queues are empty; time does not move.
     *
     * @return how many jobs ran
     */
    public int runUntilIdle() {
        int ran = 0;
        while (runNext(continuations()) || runNext(effects())) {
            ran++;
            if (ran > 1_000_000) {
                throw new IllegalStateException("jobs keep queuing more jobs: over a million ran");
            }
        }
        return ran;
    }

    /** Moves time forward, firing due timers in order, each with the clock at its due time. */
    public void advance(Duration d) {
        long target = clock.nanoTime() + d.toNanos();
        while (true) {
            Due next;
            synchronized (this) {
                next = timers.peek();
                if (next == null || next.at > target) {
                    break;
                }
                timers.poll();
                next.cancelled[0] = true;
            }
            clock.set(Math.max(clock.nanoTime(), next.at));
            next.task.run();
        }
        clock.set(target);
    }

    /** Fires every pending timer and runs every job until nothing is left (time moves as needed). */
    public void runToCompletion() {
        for (int rounds = 0; rounds < 100_000; rounds++) {
            runUntilIdle();
            Due next;
            synchronized (this) {
                next = timers.peek();
            }
            if (next == null) {
                return;
            }
            advance(Duration.ofNanos(Math.max(0, next.at - clock.nanoTime())));
        }
        throw new IllegalStateException("still busy after 100000 rounds of timers");
    }
}
