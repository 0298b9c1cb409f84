package dev.zerver.telemetry;

import java.util.List;

/**
 * The lifecycle of one job: {@code ENQUEUE -> TAKE -> START -> [PARK <-> RESUME]* -> end}.
 *
 * <p>Written by the runtime only, by the one thread that currently runs the job (the hand-off
 * through a queue or a completion orders the writes); read by listeners once the request's
 * record is finished. Timestamps are monotonic nanoseconds, -1 when the transition did not happen.
 */
public interface JobRecord {
    /** Which logical span a job belongs to. */
    enum Owner {
        /** The job that runs the pipeline from dispatch: its logical span is the request's root. */
        REQUEST,
        /** A resumption after a Need: its logical span is the continuation step. */
        CONTINUATION,
        /** An effect job: its logical span is the effect. */
        EFFECT
    }

    boolean isParked();

    /** Per-request job number, from 1 in creation order. */
    int id();

    JobType type();

    String queue();

    Owner owner();

    /** The sequence of the owning step (continuation) or effect; 0 for {@link Owner#REQUEST}. */
    int ownerSequence();

    long enqueueNanos();

    long takeNanos();

    long startNanos();

    long endNanos();

    /** Jobs in the queue just after this one entered, or -1. */
    int depthAtEnqueue();

    /** Jobs left in the queue just after this one was taken, or -1. */
    int depthAtTake();

    /** The index of the worker that took the job within its queue's pool, or -1. */
    int workerId();

    /** Attempts made (effect jobs); 1 for a step job that ran. */
    int attempts();

    List<ParkEpisode> parks();

    /** How it ended, or null while it runs. */
    JobOutcome outcome();

    String errorType();

    String errorMessage();

    String cancelReason();

    /** The derived durations; the job must have ended. */
    JobDurations durations();
}
