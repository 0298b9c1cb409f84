package dev.zerver.effects.timer;

import dev.zerver.Effect;
import dev.zerver.EffectKind;
import java.time.Duration;

/**
 * Deliberate waits, executed by {@link TimerEffects}: the job parks with cause {@code timer} and
 * holds no worker while it waits.
 *
 * <pre>{@code
 * Need.of(Timer.sleep("cool_down", Duration.ofMillis(200)))
 * }</pre>
 */
public final class Timer {
    private Timer() {}

    /** What a sleep effect asks for. */
    public record Sleep(Duration duration) {}

    /** Waits {@code duration}; the effect's target is {@code sleep}. */
    public static Effect sleep(Duration duration) {
        return sleep("sleep", duration);
    }

    /** Waits {@code duration}; {@code name} is the effect's target and the park's token. */
    public static Effect sleep(String name, Duration duration) {
        if (duration == null || duration.isNegative()) {
            throw new IllegalArgumentException("sleep duration must be >= 0, got " + duration);
        }
        return Effect.of(EffectKind.TIMER, "sleep", name, new Sleep(duration));
    }
}
