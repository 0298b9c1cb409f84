/**
 * The runtime: the job system (two bounded queues with their workers), request execution, joins,
 * parking and timers. Applications do not call it directly; {@link dev.zerver.spi.Clock},
 * {@link dev.zerver.spi.Timers} and {@link dev.zerver.spi.InboundRequest} /
 * {@link dev.zerver.spi.ResponseSink} (the transport SPI) are the parts meant for use from
 * outside, by effect handlers, transports and the deterministic test scheduler.
 */
package dev.zerver.internal.runtime;
