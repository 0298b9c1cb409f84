/**
 * The effect-handler SPI: how an {@link dev.zerver.Effect} is executed. A handler receives the
 * effect's request object and an {@link dev.zerver.effects.EffectContext} on which it reports
 * parking ({@code park(cause, token, limits)} / {@code resume()}) and family-specific facts,
 * and returns a {@link java.util.concurrent.CompletionStage} of the result. A handler that
 * waits asynchronously returns an incomplete stage and so frees the worker.
 */
package dev.zerver.effects;
