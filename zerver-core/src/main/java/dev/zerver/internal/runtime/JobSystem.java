package dev.zerver.internal.runtime;

import dev.zerver.spi.Clock;
import dev.zerver.spi.JobQueues;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

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
    /** Numbers of the threads outside the pools that run jobs (event loops), after both pools. */
    private final ThreadLocal<Integer> callerIds;
    private volatile boolean running;

    JobSystem(String continuationQueue, int stepCapacity, int stepWorkers, String effectQueue, int effectCapacity,
            int effectWorkers, Clock clock, boolean manual) {
        this.continuations = new JobQueue(continuationQueue, stepCapacity, clock);
        this.effects = new JobQueue(effectQueue, effectCapacity, clock);
        this.stepWorkers = stepWorkers;
        this.effectWorkers = effectWorkers;
        this.manual = manual;
        AtomicInteger nextCallerId = new AtomicInteger(stepWorkers + effectWorkers);
        this.callerIds = ThreadLocal.withInitial(nextCallerId::getAndIncrement);
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

    /**
     * Queues {@code job} and, unless the calling thread is a worker (which keeps jobs its own
     * way, see {@link Worker}), wakes nobody for it: the calling thread takes the head of the
     * queue at once and runs it. That is the job just queued, or one queued before it (order is
     * kept; the worker woken for that one takes this job instead). The take is recorded with the
     * caller's own number, after both pools' workers.
     *
     * @return false when the queue is full (nothing queued, nothing run)
     */
    boolean offerAndRunHere(JobQueue queue, Job job) {
        boolean here = !(Thread.currentThread() instanceof Worker);
        if (!queue.offer(job, here)) {
            return false;
        }
        if (here) {
            Job head = queue.poll(callerIds.get());
            if (head != null) {
                runCaught(head);
            }
        }
        return true;
    }

    /** Runs a job; a failure that escapes it is logged, never thrown at the thread that ran it. */
    private static void runCaught(Job job) {
        try {
            job.run();
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, Thread.currentThread().getName() + " caught an escaped failure of " + job, t);
        }
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
        startWorkers(continuations, 0, stepWorkers);
        startWorkers(effects, stepWorkers, effectWorkers);
    }

    /** Worker numbers are unique across both pools: step workers first, then effect workers. */
    private void startWorkers(JobQueue queue, int firstId, int count) {
        AtomicInteger lent = new AtomicInteger(); // shared by the pool (see Worker)
        for (int id = firstId; id < firstId + count; id++) {
            Worker t = new Worker(queue, id, count, lent);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    /**
     * A worker thread of one pool. It takes jobs from its own queue; and when a job it runs queues
     * the request's next job (an effect's continuation, a step's effect), it may keep that job for
     * itself instead of waking another thread: the job is queued and recorded as usual, nobody is
     * woken for it, and this worker takes from that queue as soon as its own job returns (the head
     * of the queue, so order is kept). A wake-up costs more than most jobs here; this turns it into
     * a zero queue wait. A worker keeps at most one job at a time, and a pool never lends its last
     * worker to the other queue: at most pool size - 1 of its workers run the other queue's jobs at
     * once (a slow database never holds every step worker; with one step worker, effects always go
     * to effect workers).
     */
    final class Worker extends Thread {
        private final JobQueue home;
        private final int id;
        private final int poolSize;
        /** Workers of this worker's pool lent to the other queue now. */
        private final AtomicInteger lent;
        private JobQueue kept;

        Worker(JobQueue home, int id, int poolSize, AtomicInteger lent) {
            super("zerver-" + home.name() + "-" + id);
            this.home = home;
            this.id = id;
            this.poolSize = poolSize;
            this.lent = lent;
        }

        /**
         * Called by {@code queue} while it adds a job: whether the calling thread is a worker that
         * keeps this job for itself (then the queue wakes nobody).
         */
        static boolean keepsForItself(JobQueue queue) {
            return Thread.currentThread() instanceof Worker w && w.keep(queue);
        }

        private boolean keep(JobQueue queue) {
            // Only this system's queues: a job it runs may dispatch into another application in process.
            if (kept != null || (queue != continuations && queue != effects)) {
                return false;
            }
            if (queue != home && !lend()) {
                return false;
            }
            kept = queue;
            return true;
        }

        /** Counts this worker as lent to the other queue, unless that would lend its pool's last one. */
        private boolean lend() {
            int n = lent.get();
            return n < poolSize - 1 && lent.compareAndSet(n, n + 1);
        }

        /**
         * Runs the job this worker kept: the head of that queue, whichever job it is now, or none if
         * another worker, awake anyway, took it first. That job may keep the next one in turn.
         */
        private void runKept() {
            while (kept != null) {
                JobQueue queue = kept;
                kept = null;
                Job next = queue.poll(id);
                if (next != null) {
                    runCaught(next);
                }
                if (queue != home) {
                    lent.decrementAndGet();
                }
            }
        }

        @Override
        public void run() {
            while (true) {
                Job job;
                try {
                    job = home.take(id, TimeUnit.SECONDS.toNanos(1));
                } catch (InterruptedException e) {
                    return;
                }
                if (job == null) {
                    if (!running) {
                        return;
                    }
                    continue;
                }
                runCaught(job);
                runKept();
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
