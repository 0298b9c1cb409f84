package dev.zerver.effects.timer;

import dev.zerver.Effect;
import dev.zerver.spi.EffectContext;
import dev.zerver.spi.EffectHandler;
import dev.zerver.spi.EffectResult;
import dev.zerver.spi.Timers;
import dev.zerver.telemetry.ParkCause;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Executes {@link Timer#sleep} on the runtime's timers: a {@code timer} park that frees the worker. */
public final class TimerEffects implements EffectHandler<Timer.Sleep> {
    @Override
    public Class<Timer.Sleep> requestType() {
        return Timer.Sleep.class;
    }

    @Override
    public CompletionStage<EffectResult> execute(Timer.Sleep sleep, Effect effect, EffectContext ctx) {
        CompletableFuture<EffectResult> done = new CompletableFuture<>();
        ctx.park(ParkCause.TIMER, effect.target());
        Timers.Timer t = ctx.timers().schedule(sleep.duration().toNanos(), () -> done.complete(EffectResult.empty()));
        ctx.onAbandon(t::cancel);
        return done;
    }
}
