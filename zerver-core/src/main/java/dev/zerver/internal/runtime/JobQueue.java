package dev.zerver.internal.runtime;

import dev.zerver.spi.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded FIFO of jobs. A job that finds it full either is refused ({@link #offer}: the
 * dispatch of a new request answers 503) or waits for room ({@link #enqueueWhenRoom}: a running
 * job that must hand on work parks with cause {@code backpressure} meanwhile). Jobs waiting for
 * room enter before any new offer, so nobody starves.
 *
 * <p>Enqueue and take are recorded on the job inside the queue's lock, with the depth at that
 * moment; everything else a job records happens outside it.
 */
public final class JobQueue {
    private record Waiting(Job job, Runnable admitted) {}

    private final String name;
    private final int capacity;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final ArrayDeque<Job> jobs = new ArrayDeque<>();
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    private volatile int depth;
    /** Workers of this queue's pool waiting in {@link #take} for a job; guarded by the lock. */
    private int idleWorkers;
    private boolean closed;

    JobQueue(String name, int capacity, Clock clock) {
        this.name = name;
        this.capacity = capacity;
        this.clock = clock;
    }

    public String name() {
        return name;
    }

    public int capacity() {
        return capacity;
    }

    /** Jobs queued now (not counting those waiting for room). */
    public int depth() {
        return depth;
    }

    /** Jobs that wait for room. */
    public int waitingForRoom() {
        lock.lock();
        try {
            return waiting.size();
        } finally {
            lock.unlock();
        }
    }

    /** Enqueues if there is room and nobody waits for it; false otherwise. */
    boolean offer(Job job) {
        return offer(job, false);
    }

    /**
     * As {@link #offer(Job)}; with {@code keptByCaller} nobody is woken for the job, because the
     * calling thread takes the head of this queue right after (see {@link JobSystem#offerAndRunHere}).
     */
    boolean offer(Job job, boolean keptByCaller) {
        lock.lock();
        try {
            if (jobs.size() >= capacity || !waiting.isEmpty()) {
                return false;
            }
            add(job, keptByCaller);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Enqueues now if there is room (returns true; {@code admitted} is not called) or keeps the
     * job until a take makes room (returns false; the taking thread then calls {@code admitted}).
     */
    boolean enqueueWhenRoom(Job job, Runnable admitted) {
        lock.lock();
        try {
            if (jobs.size() < capacity && waiting.isEmpty()) {
                add(job, false);
                return true;
            }
            waiting.add(new Waiting(job, admitted));
            return false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Puts back a job that is already running (see {@link Job#continueOnQueue}), whatever the
     * capacity: it was admitted once, and holding it back could stall its request.
     */
    void requeue(Job job) {
        lock.lock();
        try {
            jobs.add(job);
            depth = jobs.size();
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    private void add(Job job, boolean keptByCaller) {
        jobs.add(job);
        depth = jobs.size();
        job.record().enqueued(clock.nanoTime(), jobs.size());
        if (!keptByCaller && !JobSystem.Worker.keepsForItself(this)) {
            notEmpty.signal();
        }
    }

    /** Workers of this queue's pool waiting for a job now (for tests that need idle pools). */
    int idleWorkers() {
        lock.lock();
        try {
            return idleWorkers;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes the next job, waiting up to {@code timeoutNanos}; null on time-out or when the queue is
     * closed and empty. The take is recorded on the job for {@code workerId}.
     */
    Job take(int workerId, long timeoutNanos) throws InterruptedException {
        List<Runnable> admitted;
        Job job;
        lock.lock();
        try {
            long remaining = timeoutNanos;
            while (jobs.isEmpty()) {
                if (closed || remaining <= 0) {
                    return null;
                }
                idleWorkers++;
                try {
                    remaining = notEmpty.awaitNanos(remaining);
                } finally {
                    idleWorkers--;
                }
            }
            job = takeLocked(workerId);
            admitted = admitWaitingLocked();
        } finally {
            lock.unlock();
        }
        runAll(admitted);
        return job;
    }

    /** Takes the next job without waiting (the deterministic scheduler, a worker's kept job), or null. */
    public Job poll(int workerId) {
        try {
            return take(workerId, 0);
        } catch (InterruptedException e) {
            throw new IllegalStateException("a take that does not wait was interrupted", e);
        }
    }

    private Job takeLocked(int workerId) {
        Job job = jobs.poll();
        depth = jobs.size();
        if (!job.isContinuing()) {
            job.record().taken(clock.nanoTime(), workerId, jobs.size());
        }
        return job;
    }

    private List<Runnable> admitWaitingLocked() {
        if (waiting.isEmpty()) {
            return List.of();
        }
        List<Runnable> admitted = new ArrayList<>(1);
        while (!waiting.isEmpty() && jobs.size() < capacity) {
            Waiting w = waiting.poll();
            add(w.job(), false);
            admitted.add(w.admitted());
        }
        return admitted;
    }

    private static void runAll(List<Runnable> tasks) {
        for (Runnable r : tasks) {
            r.run();
        }
    }

    /** Wakes waiting workers; takes return null once the queue is empty. */
    void close() {
        lock.lock();
        try {
            closed = true;
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until the queue is empty (for shutdown), up to the timeout. */
    boolean awaitEmpty(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (depth > 0 || waitingForRoom() > 0) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    @Override
    public String toString() {
        return "queue " + name + " (" + depth + "/" + capacity + ")";
    }
}
