package dev.zerver.effects.http;

import java.util.ArrayDeque;

/**
 * A non-blocking permit count: a caller without a permit leaves a callback that runs, on the
 * releasing thread, when one is handed to it. Nobody waits on a thread.
 */
final class ConcurrencyLimit {
    private final int max;
    private int inUse;
    private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();

    ConcurrencyLimit(int max) {
        this.max = max;
    }

    int max() {
        return max;
    }

    synchronized int waiting() {
        return waiting.size();
    }

    synchronized int inUse() {
        return inUse;
    }

    /** Takes a permit now (true) or queues {@code whenGranted}, which then owns a permit (false). */
    synchronized boolean acquireOrWait(Runnable whenGranted) {
        if (inUse < max) {
            inUse++;
            return true;
        }
        waiting.add(whenGranted);
        return false;
    }

    /** Withdraws a queued callback; true if it was still waiting (and so owns no permit). */
    synchronized boolean withdraw(Runnable whenGranted) {
        return waiting.remove(whenGranted);
    }

    /** Returns a permit, handing it straight to the next waiter if there is one. */
    void release() {
        Runnable next;
        synchronized (this) {
            next = waiting.poll();
            if (next == null) {
                inUse--;
                return;
            }
        }
        next.run();
    }
}
