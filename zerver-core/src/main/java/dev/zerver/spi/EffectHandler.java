package dev.zerver.spi;

import dev.zerver.Effect;
import java.util.concurrent.CompletionStage;

/**
 * Executes effects whose {@link Effect#request()} is a {@code R}. One call is one attempt; the
 * runtime applies the effect's timeout and retry policy around it.
 *
 * <p>Fail an attempt by throwing or completing exceptionally, preferably with an
 * {@link EffectFailure} that says whether the failure is the infrastructure's (retried) or the
 * application's (not retried). Any other exception counts as an infrastructure failure.
 *
 * @param <R> the request type this handler executes
 */
public interface EffectHandler<R> {
    /** The request type; effects are routed to the handler registered for their request's class. */
    Class<R> requestType();

    /** Runs one attempt. */
    CompletionStage<EffectResult> execute(R request, Effect effect, EffectContext context) throws Exception;
}
