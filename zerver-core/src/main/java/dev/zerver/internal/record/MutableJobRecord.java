package dev.zerver.internal.record;

import dev.zerver.telemetry.JobDurations;
import dev.zerver.telemetry.JobOutcome;
import dev.zerver.telemetry.JobRecord;
import dev.zerver.telemetry.JobType;
import dev.zerver.telemetry.ParkEpisode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The runtime's writable {@link JobRecord}: listeners see it through that read-only interface. */
public final class MutableJobRecord implements JobRecord {

    private final int id;
    private final JobType type;
    private final String queue;
    private final Owner owner;
    private final int ownerSequence;
    private long enqueueNanos = -1;
    private long takeNanos = -1;
    private long startNanos = -1;
    private long endNanos = -1;
    private int depthAtEnqueue = -1;
    private int depthAtTake = -1;
    private int workerId = -1;
    private int attempts;
    /** Made at the first park: most jobs never park. */
    private List<ParkEpisode> parks;
    private JobDurations durations;
    private JobOutcome outcome;
    private String errorType;
    private String errorMessage;
    private String cancelReason;

    public MutableJobRecord(int id, JobType type, String queue, Owner owner, int ownerSequence) {
        this.id = id;
        this.type = type;
        this.queue = queue;
        this.owner = owner;
        this.ownerSequence = ownerSequence;
    }

    // ---- written by the runtime ----

    public void enqueued(long nanos, int depth) {
        enqueueNanos = nanos;
        depthAtEnqueue = depth;
    }

    public void taken(long nanos, int worker, int depth) {
        takeNanos = nanos;
        workerId = worker;
        depthAtTake = depth;
    }

    public void started(long nanos) {
        startNanos = nanos;
    }

    /** Opens a park episode; a job parks at most once at a time. */
    public void parked(ParkEpisode episode) {
        if (isParked()) {
            throw new IllegalStateException("job " + id + " is already parked");
        }
        if (parks == null) {
            parks = new ArrayList<>(2);
        }
        parks.add(episode);
    }

    /** Closes the open park episode, if any; returns whether one was open. */
    public boolean resumed(long nanos) {
        if (!isParked()) {
            return false;
        }
        int last = parks.size() - 1;
        parks.set(last, parks.get(last).resumedAt(nanos));
        return true;
    }

    public void attempt(int attempt) {
        attempts = attempt;
    }

    public void ended(long nanos, JobOutcome how) {
        if (outcome != null) {
            throw new IllegalStateException("job " + id + " already ended " + outcome + ", now " + how);
        }
        endNanos = nanos;
        outcome = how;
    }

    public void failedWith(String type, String message) {
        errorType = type;
        errorMessage = message;
    }

    public void cancelledBecause(String reason) {
        cancelReason = reason;
    }

    // ---- read ----

    public boolean isParked() {
        return parks != null && !parks.get(parks.size() - 1).resumed();
    }

    /** Per-request job number, from 1 in creation order. */
    public int id() {
        return id;
    }

    public JobType type() {
        return type;
    }

    public String queue() {
        return queue;
    }

    public Owner owner() {
        return owner;
    }

    /** The sequence of the owning step (continuation) or effect; 0 for {@link Owner#REQUEST}. */
    public int ownerSequence() {
        return ownerSequence;
    }

    public long enqueueNanos() {
        return enqueueNanos;
    }

    public long takeNanos() {
        return takeNanos;
    }

    public long startNanos() {
        return startNanos;
    }

    public long endNanos() {
        return endNanos;
    }

    /** Jobs in the queue just after this one entered, or -1. */
    public int depthAtEnqueue() {
        return depthAtEnqueue;
    }

    /** Jobs left in the queue just after this one was taken, or -1. */
    public int depthAtTake() {
        return depthAtTake;
    }

    /** The index of the worker that took the job within its queue's pool, or -1. */
    public int workerId() {
        return workerId;
    }

    /** Attempts made (effect jobs); 1 for a step job that ran. */
    public int attempts() {
        return attempts;
    }

    public List<ParkEpisode> parks() {
        return parks == null ? List.of() : Collections.unmodifiableList(parks);
    }

    /** How it ended, or null while it runs. */
    public JobOutcome outcome() {
        return outcome;
    }

    public String errorType() {
        return errorType;
    }

    public String errorMessage() {
        return errorMessage;
    }

    public String cancelReason() {
        return cancelReason;
    }

    /** The derived durations; the job must have ended. */
    public JobDurations durations() {
        if (endNanos < 0) {
            throw new IllegalStateException("job " + id + " has not ended");
        }
        JobDurations d = durations;
        if (d == null) { // computed once: an ended job's times no longer change
            d = JobDurations.of(enqueueNanos, takeNanos, startNanos, endNanos, parks());
            durations = d;
        }
        return d;
    }

    @Override
    public String toString() {
        return "job#" + id + "(" + type.value() + " on " + queue + ", " + outcome + ")";
    }
}
