package dev.zerver.testing;

import dev.zerver.Response;
import dev.zerver.Zerver;
import dev.zerver.spi.InFlightRequest;
import dev.zerver.spi.InboundRequest;
import dev.zerver.telemetry.RequestRecord;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Sends requests to an application without HTTP; the response counts as written at once. */
public final class InProcess {
    private InProcess() {}

    /** Dispatches the request; the returned exchange completes when the runtime answers. */
    public static Exchange send(Zerver app, InboundRequest request) {
        Exchange ex = new Exchange();
        ex.handle = app.dispatch(request, (response, head, written) -> {
            ex.head = head;
            written.at(app.clock().nanoTime(), head ? 0 : response.body().length);
            ex.response.complete(response);
        });
        return ex;
    }

    /** One request's answer. */
    public static final class Exchange {
        private final CompletableFuture<Response> response = new CompletableFuture<>();
        private volatile boolean head;
        private InFlightRequest handle;

        /** Runs {@code action} once the runtime has answered (at once if it already has). */
        public void whenAnswered(Runnable action) {
            response.whenComplete((r, t) -> action.run());
        }

        /** Whether the runtime has answered. */
        public boolean answered() {
            return response.isDone();
        }

        /**
         * The response.
         *
         * @throws IllegalStateException if the runtime has not answered (deterministic tests: run the
         *     scheduler first)
         */
        public Response response() {
            if (!response.isDone()) {
                throw new IllegalStateException("no response yet: run the scheduler until the request finishes");
            }
            return response.join();
        }

        /** Waits for the response (tests on real worker threads). */
        public Response await(long timeout, TimeUnit unit) throws Exception {
            return response.get(timeout, unit);
        }

        /** Whether the response was sent as for HEAD. */
        public boolean head() {
            return head;
        }

        /** Cancels the request as a transport would when the client leaves. */
        public void cancel(String reason) {
            handle.cancel(reason);
        }
    }

    /** Collects finished records; register it with {@code listener(...)}. */
    public static final class Records implements dev.zerver.telemetry.RecordListener {
        private final java.util.concurrent.LinkedBlockingQueue<RequestRecord> finished =
                new java.util.concurrent.LinkedBlockingQueue<>();

        @Override
        public void onRequestFinished(RequestRecord record) {
            finished.add(record);
        }

        /** The next finished record, or null if none is there now. */
        public RequestRecord poll() {
            return finished.poll();
        }

        /** Waits for the next finished record. */
        public RequestRecord take(long timeout, TimeUnit unit) throws InterruptedException {
            return finished.poll(timeout, unit);
        }

        public int size() {
            return finished.size();
        }
    }
}
