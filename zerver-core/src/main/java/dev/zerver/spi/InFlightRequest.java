package dev.zerver.spi;

/** A dispatched request, as its transport sees it. */
public interface InFlightRequest {
    /** The client is gone: cancel the request's jobs and write nothing. */
    void cancel(String reason);
}
