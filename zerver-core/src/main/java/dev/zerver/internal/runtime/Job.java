package dev.zerver.internal.runtime;

import dev.zerver.telemetry.JobOutcome;
import dev.zerver.internal.record.MutableJobRecord;
import dev.zerver.telemetry.ParkCause;
import dev.zerver.telemetry.ParkEpisode;

/**
 * A unit of work on a queue: a stretch of steps or one effect. Its lifecycle is written to its
 * {@link MutableJobRecord} by the one thread that runs it at the time: the taker records the take, the
 * runner start and park/resume, and whoever finishes it the end.
 */
public final class Job {
    private static final System.Logger LOG = System.getLogger(Job.class.getName());

    /** What a job does once started; it must end the job exactly once, now or later. */
    interface Work {
        void start(Job job) throws Exception;
    }

    private final RequestExecution request;
    private final MutableJobRecord record;
    private final JobQueue queue;
    private final Work work;
    private volatile Runnable cancelHook;
    /** Set while the job waits in its queue to go on (a retry after its backoff), not to start. */
    private volatile Runnable continuation;

    Job(RequestExecution request, MutableJobRecord record, JobQueue queue, Work work) {
        this.request = request;
        this.record = record;
        this.queue = queue;
        this.work = work;
    }

    public MutableJobRecord record() {
        return record;
    }

    public JobQueue queue() {
        return queue;
    }

    RequestExecution request() {
        return request;
    }

    private long now() {
        return request.clock().nanoTime();
    }

    /**
     * Runs the job after its take was recorded; a job of a cancelled request ends CANCEL at once.
     * A job put back by {@link #continueOnQueue} runs what it was put back for instead.
     */
    public void run() {
        Runnable next = continuation;
        if (next != null) {
            continuation = null;
            runGuarded(next::run);
            return;
        }
        if (request.isCancelled()) {
            cancel(request.cancelReason());
            return;
        }
        record.started(now());
        runGuarded(() -> work.start(this));
    }

    private interface Body {
        void run() throws Exception;
    }

    private void runGuarded(Body body) {
        try {
            body.run();
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, "job " + record + " broke", t);
            if (record.outcome() == null) {
                request.brokenJob(this, t);
            }
        }
    }

    /** Whether the job waits in its queue to go on rather than to start. */
    boolean isContinuing() {
        return continuation != null;
    }

    /**
     * Puts this running (parked) job back on its queue so that an effect worker, not the calling
     * thread (a timer), runs {@code next}: the job's record keeps its first enqueue and take, and
     * its current park episode lasts until a worker picks it up.
     */
    void continueOnQueue(Runnable next) {
        continuation = next;
        queue.requeue(this);
    }

    void park(ParkCause cause, String token, long limitCurrent, long limitMax) {
        record.parked(new ParkEpisode(cause, token, limitCurrent, limitMax, now()));
    }

    void resume() {
        record.resumed(now());
    }

    void complete() {
        end(JobOutcome.COMPLETE);
    }

    void fail(String type, String message) {
        record.failedWith(type, message);
        end(JobOutcome.FAIL);
    }

    void cancel(String reason) {
        record.cancelledBecause(reason);
        end(JobOutcome.CANCEL);
    }

    private void end(JobOutcome outcome) {
        cancelHook = null;
        record.ended(now(), outcome);
        request.jobEnded();
    }

    /** What to run if the request is cancelled while this job waits on something outside the queues. */
    void onCancel(Runnable hook) {
        cancelHook = hook;
    }

    /** Asks the job to stop: runs its cancel hook if it has one (a queued job ends when taken). */
    void requestCancel() {
        Runnable hook = cancelHook;
        if (hook != null) {
            hook.run();
        }
    }

    /**
     * Hands {@code next} to its queue, then runs {@code then}. When the queue is full this job
     * parks with cause {@code backpressure} (token: the queue's name, limits: its depth and
     * capacity) and {@code then} runs, after the resume, once there is room.
     */
    void handOff(Job next, Runnable then) {
        JobQueue target = next.queue;
        if (target.offer(next)) {
            then.run();
            return;
        }
        park(ParkCause.BACKPRESSURE, target.name(), target.depth(), target.capacity());
        if (target.enqueueWhenRoom(next, () -> {
            resume();
            then.run();
        })) {
            // Room appeared between the offer and now: no wait after all.
            resume();
            then.run();
        }
    }

    @Override
    public String toString() {
        return record.toString();
    }
}
