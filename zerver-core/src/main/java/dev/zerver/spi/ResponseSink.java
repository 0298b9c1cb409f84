package dev.zerver.spi;

import dev.zerver.Response;

/**
 * Where the runtime sends a request's response (the transport SPI, with {@link InboundRequest}).
 * Called at most once per request, from a runtime thread.
 */
public interface ResponseSink {
    /**
     * Writes the response.
     *
     * @param head a HEAD request: send the headers GET would, without the body
     * @param written to call once the response is written (or the write failed), with the time on
     *     the runtime's clock and the body bytes sent
     */
    void send(Response response, boolean head, Written written);

    /** Completion of a write. */
    @FunctionalInterface
    interface Written {
        void at(long nanos, long bodyBytes);
    }
}
