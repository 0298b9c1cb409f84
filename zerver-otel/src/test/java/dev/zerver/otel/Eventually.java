package dev.zerver.otel;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Waits for asynchronous delivery in tests; the bound is generous, so it is never a speed assertion. */
public final class Eventually {
    private Eventually() {}

    /** Polls {@code condition} until it holds, failing with {@code what} after 20 seconds. */
    public static void eventually(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }
}
