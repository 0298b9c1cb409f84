package dev.zerver.effects.compute;

import dev.zerver.Effect;
import dev.zerver.spi.EffectContext;
import dev.zerver.spi.EffectFailure;
import dev.zerver.spi.EffectHandler;
import dev.zerver.spi.EffectResult;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Runs {@link Compute} tasks on the effect worker that took the job. The budget is checked on the
 * runtime's clock when the task returns; a task cannot be stopped midway, so long tasks should
 * also declare an effect timeout if the request must not wait for them.
 */
public final class ComputeEffects implements EffectHandler<Compute.Task> {
    @Override
    public Class<Compute.Task> requestType() {
        return Compute.Task.class;
    }

    @Override
    public CompletionStage<EffectResult> execute(Compute.Task task, Effect effect, EffectContext ctx) throws Exception {
        long start = ctx.clock().nanoTime();
        Object value = task.work().call();
        long took = ctx.clock().nanoTime() - start;
        ctx.attribute("compute.duration_ms", took / 1e6);
        if (!task.budget().isZero() && took > task.budget().toNanos()) {
            return CompletableFuture.failedFuture(EffectFailure.infrastructure("budget_exceeded", effect.target()
                    + " took " + took / 1_000_000 + " ms, over its budget of " + task.budget().toMillis() + " ms"));
        }
        return CompletableFuture.completedFuture(EffectResult.of(value));
    }
}
