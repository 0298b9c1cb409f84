package dev.zerver.internal.runtime;

import dev.zerver.spi.Clock;
import dev.zerver.spi.JobQueues;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The two bounded queues (step jobs on the continuation queue, effect jobs on the effects queue)
 * and, unless a test drives them by hand, their worker threads.
 */
public final class JobSystem implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(JobSystem.class.getName());

    private final JobQueue continuations;
    private final JobQueue effects;
    private final int stepWorkers;
    private final int effectWorkers;
    private final boolean manual;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running;

    JobSystem(String continuationQueue, int stepCapacity, int stepWorkers, String effectQueue, int effectCapacity,
            int effectWorkers, Clock clock, boolean manual) {
        this.continuations = new JobQueue(continuationQueue, stepCapacity, clock);
        this.effects = new JobQueue(effectQueue, effectCapacity, clock);
        this.stepWorkers = stepWorkers;
        this.effectWorkers = effectWorkers;
        this.manual = manual;
    }

    /** The queue of step jobs. */
    public JobQueue continuations() {
        return continuations;
    }

    /** The queue of effect jobs. */
    public JobQueue effects() {
        return effects;
    }

    /** The queue with this name. */
    public JobQueue queue(String name) {
        if (continuations.name().equals(name)) {
            return continuations;
        }
        if (effects.name().equals(name)) {
            return effects;
        }
        throw new IllegalArgumentException("no queue named '" + name + "' (queues: " + continuations.name() + ", "
                + effects.name() + ")");
    }

    /** These queues as a scheduler that takes jobs itself sees them. */
    public JobQueues view() {
        return new JobQueues() {
            @Override
            public String continuations() {
                return continuations.name();
            }

            @Override
            public String effects() {
                return effects.name();
            }

            @Override
            public int depth(String queue) {
                return queue(queue).depth();
            }

            @Override
            public boolean runNext(String queue) {
                Job job = queue(queue).poll(0);
                if (job == null) {
                    return false;
                }
                job.run();
                return true;
            }
        };
    }

    /** Whether jobs are taken by a test instead of worker threads. */
    public boolean isManual() {
        return manual;
    }

    synchronized void start() {
        if (running || manual) {
            return;
        }
        running = true;
        startWorkers(continuations, stepWorkers);
        startWorkers(effects, effectWorkers);
    }

    private void startWorkers(JobQueue queue, int count) {
        for (int i = 0; i < count; i++) {
            int workerId = i;
            Thread t = new Thread(() -> work(queue, workerId), "zerver-" + queue.name() + "-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    private void work(JobQueue queue, int workerId) {
        while (true) {
            Job job;
            try {
                job = queue.take(workerId, TimeUnit.SECONDS.toNanos(1));
            } catch (InterruptedException e) {
                return;
            }
            if (job == null) {
                if (!running) {
                    return;
                }
                continue;
            }
            try {
                job.run();
            } catch (Throwable t) {
                LOG.log(System.Logger.Level.ERROR, "worker " + queue.name() + "-" + workerId + " caught an escaped failure", t);
            }
        }
    }

    /** Waits for both queues to drain, up to the timeout. */
    boolean awaitIdle(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        return continuations.awaitEmpty(timeout, unit)
                && effects.awaitEmpty(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    /** Stops the workers once the queues are empty. */
    @Override
    public synchronized void close() {
        running = false;
        continuations.close();
        effects.close();
        for (Thread t : threads) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        threads.clear();
    }
}
