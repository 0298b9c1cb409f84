/**
 * The HTTP/1.1 transport on Netty. Event loops only parse and write; every request is handed to
 * the runtime as an {@link dev.zerver.spi.InboundRequest}. The pipeline, one handler per job:
 * idle timeout, HTTP codec (header limit), start stamp (first byte parsed), aggregator (body
 * limit), exchange (dispatch and in-order responses).
 */
package dev.zerver.internal.http;
