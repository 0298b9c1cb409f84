package dev.zerver.otel.internal;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A fixed set of reusable send slots (an encoder and its buffer each): taking one blocks while
 * all are in flight, which bounds both the memory and the requests a sink has outstanding.
 */
final class InFlight<S> {
    private final ArrayBlockingQueue<S> free;
    private final int size;

    InFlight(int size, Supplier<S> slot) {
        this.size = size;
        this.free = new ArrayBlockingQueue<>(size);
        for (int i = 0; i < size; i++) {
            free.add(slot.get());
        }
    }

    /** A free slot, waiting while every slot is in flight (null if interrupted). */
    S take() {
        try {
            return free.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    void release(S slot) {
        free.add(slot);
    }

    /** Waits until no slot is in flight; returns whether that happened in time. */
    boolean awaitIdle(long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        while (free.size() < size) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(2)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
