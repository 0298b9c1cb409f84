package dev.zerver.effects.compute;

import dev.zerver.Effect;
import dev.zerver.EffectKind;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * CPU work declared as an effect, executed by {@link ComputeEffects} on an effect worker, so that
 * the trace shows it as its own span with its own time. A time budget fails the effect
 * ({@code budget_exceeded}) when the task ran longer.
 *
 * <pre>{@code
 * Compute.task("thumbnail", Duration.ofMillis(50), () -> resize(image)).into(THUMB)
 * }</pre>
 */
public final class Compute {
    private Compute() {}

    /** What a compute effect runs. */
    public record Task(Callable<?> work, Duration budget) {}

    /** Runs {@code work} with no budget. */
    public static Effect task(String name, Callable<?> work) {
        return Effect.of(EffectKind.COMPUTE, "run", name, new Task(Objects.requireNonNull(work, "work"), Duration.ZERO));
    }

    /** Runs {@code work}; taking longer than {@code budget} (runtime clock) fails the effect. */
    public static Effect task(String name, Duration budget, Callable<?> work) {
        if (budget == null || budget.isNegative() || budget.isZero()) {
            throw new IllegalArgumentException("compute budget must be > 0, got " + budget);
        }
        return Effect.of(EffectKind.COMPUTE, "run", name, new Task(Objects.requireNonNull(work, "work"), budget));
    }
}
