package dev.zerver.internal.runtime;

import dev.zerver.ErrorRenderer;
import dev.zerver.Step;
import dev.zerver.spi.EffectHandlers;
import dev.zerver.telemetry.RecordListener;
import java.util.List;

/** What an application plugs into the runtime: global steps, error rendering, listeners, effect handlers. */
public record Wiring(List<Step> globalBefore, ErrorRenderer errorRenderer, List<RecordListener> listeners,
        EffectHandlers handlers) {
    public Wiring {
        globalBefore = List.copyOf(globalBefore);
        listeners = List.copyOf(listeners);
    }
}
