package dev.zerver.telemetry;

/**
 * Receives each request's finished record: after the response was written (or the request was
 * cancelled) and every job of the request has ended.
 *
 * <p>Called on the thread that ended the last job; a listener that does slow work should hand
 * the record to its own thread. An exception thrown here is logged and does not reach the
 * request or other listeners.
 */
@FunctionalInterface
public interface RecordListener {
    void onRequestFinished(RequestRecord record);
}
