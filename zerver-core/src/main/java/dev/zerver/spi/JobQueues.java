package dev.zerver.spi;

/**
 * The runtime's job queues, as a {@link Scheduling} that takes jobs itself (a test's manual
 * scheduler) sees them: their names, their depths, and taking one job to run on the caller's
 * thread.
 */
public interface JobQueues {
    /** The continuation queue's name. */
    String continuations();

    /** The effects queue's name. */
    String effects();

    /** Jobs waiting in the named queue. */
    int depth(String queue);

    /**
     * Takes the head of the named queue and runs it on the calling thread.
     *
     * @return false when the queue was empty
     */
    boolean runNext(String queue);
}
