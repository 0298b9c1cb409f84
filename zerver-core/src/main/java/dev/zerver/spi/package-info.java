/**
 * What extensions implement or receive: the effect-handler SPI, and the runtime's {@link
 * dev.zerver.spi.Clock}, {@link dev.zerver.spi.Timers} and {@link dev.zerver.spi.IdGenerator}
 * that handlers and telemetry may use (a test's manual clock and scheduler replace them).
 *
 * <p>The effect-handler SPI is how an {@link dev.zerver.Effect} is executed. A handler receives the
 * effect's request object and an {@link dev.zerver.spi.EffectContext} on which it reports
 * parking ({@code park(cause, token, limits)} / {@code resume()}) and family-specific facts,
 * and returns a {@link java.util.concurrent.CompletionStage} of the result. A handler that
 * waits asynchronously returns an incomplete stage and so frees the worker.
 */
package dev.zerver.spi;
