package dev.zerver.otel.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import javax.net.ssl.SSLSocketFactory;

/**
 * Posts OTLP/HTTP bodies (traces or metrics, protobuf or JSON) to one endpoint: a few sender
 * threads, each with one keep-alive HTTP/1.1 connection ({@link PostConnection}), and the OTLP
 * specification's retries ({@link RetryBackoff}: 429, 502, 503, 504 and transport errors,
 * honouring {@code Retry-After}, within the timeout).
 *
 * <p>Why not a general HTTP client: a post here is a few hundred bytes of head and one body,
 * about 20 times a second. A general client's per-request machinery (Apache HttpClient's async
 * client, used before) cost about 370 us per post on this path, much of it code run too rarely to
 * be compiled; this one writes the head and the body and reads a status line.
 */
final class OtlpHttpPost implements AutoCloseable {
    /** Schedules a retry after a delay; tests replace it to run at once and record the waits. */
    interface RetryTimer {
        void schedule(Runnable retry, Duration after);
    }

    /** How one post ended, told once. */
    interface Result {
        void delivered();

        void failed(String why);
    }

    private record Body(byte[] bytes, int offset, int length) {}

    private record Attempt(Body body, Result result, int number, long deadline) {}

    private static final Attempt STOP = new Attempt(null, null, 0, 0);

    private final URI endpoint;
    private final SSLSocketFactory tls;
    /** The request line and the headers every post carries, up to the body's length. */
    private final byte[] headPrefix;
    private final boolean gzip;
    private final Duration timeout;
    private final BlockingQueue<Attempt> attempts = new LinkedBlockingQueue<>();
    private final List<Sender> senders = new ArrayList<>();
    private final List<Thread> senderThreads = new ArrayList<>();
    private final WaitingRetries waitingRetries = new WaitingRetries();
    /** Aborts posts that overrun their deadline, and waits out retries unless a timer is given. */
    private final ScheduledThreadPoolExecutor timers;
    private final RetryTimer timer;
    private volatile boolean shutdown;

    /** {@code timer}: null for a thread of its own; {@code tls}: for https endpoints. */
    OtlpHttpPost(String endpoint, String contentType, Map<String, String> headers, boolean gzip, Duration timeout,
            int maxConnections, String threadName, RetryTimer timer, SSLSocketFactory tls) {
        this.endpoint = URI.create(endpoint);
        if (!"http".equals(this.endpoint.getScheme()) && !"https".equals(this.endpoint.getScheme())
                || this.endpoint.getHost() == null) {
            throw new IllegalArgumentException("an OTLP/HTTP endpoint is an http:// or https:// URL: " + endpoint);
        }
        this.tls = tls;
        this.headPrefix = headPrefix(this.endpoint, contentType, headers, gzip);
        this.gzip = gzip;
        this.timeout = timeout;
        this.timers = new ScheduledThreadPoolExecutor(1, daemon(threadName + "-timer"));
        this.timers.setRemoveOnCancelPolicy(true);
        this.timer = timer != null ? timer
                : (retry, after) -> timers.schedule(retry, after.toNanos(), TimeUnit.NANOSECONDS);
        for (int i = 0; i < maxConnections; i++) {
            Sender s = new Sender();
            Thread t = daemon(threadName + "-" + i).newThread(s);
            senders.add(s);
            senderThreads.add(t);
            t.start();
        }
    }

    OtlpHttpPost(String endpoint, String contentType, Map<String, String> headers, boolean gzip, Duration timeout,
            int maxConnections, String threadName, RetryTimer timer) {
        this(endpoint, contentType, headers, gzip, timeout, maxConnections, threadName, timer,
                (SSLSocketFactory) SSLSocketFactory.getDefault());
    }

    private static byte[] headPrefix(URI endpoint, String contentType, Map<String, String> headers, boolean gzip) {
        String path = endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty() ? "/" : endpoint.getRawPath();
        if (endpoint.getRawQuery() != null) {
            path += "?" + endpoint.getRawQuery();
        }
        StringBuilder head = new StringBuilder(256)
                .append("POST ").append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(endpoint.getHost()).append(endpoint.getPort() >= 0 ? ":" + endpoint.getPort() : "").append("\r\n")
                .append("User-Agent: zerver-otlp-exporter\r\n")
                .append("Content-Type: ").append(contentType).append("\r\n");
        if (gzip) {
            head.append("Content-Encoding: gzip\r\n");
        }
        // names and values were checked by the settings (OtelSettings.checkHeader)
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        return head.toString().getBytes(StandardCharsets.UTF_8);
    }

    static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Posts {@code body[offset .. offset + length)} (gzipped when so configured); {@code result}
     * hears once how it ended. The bytes are read in place, not copied: the caller keeps them
     * unchanged until then (retries read them again).
     */
    void post(byte[] body, int offset, int length, Result result) {
        Body content;
        if (gzip) {
            ByteArrayOutputStream compressed = new ByteArrayOutputStream(length / 4 + 64);
            try (GZIPOutputStream z = new GZIPOutputStream(compressed)) {
                z.write(body, offset, length);
            } catch (IOException e) {
                result.failed("could not compress the request: " + e);
                return;
            }
            content = new Body(compressed.toByteArray(), 0, compressed.size());
        } else {
            content = new Body(body, offset, length);
        }
        enqueue(new Attempt(content, result, 1, System.nanoTime() + timeout.toNanos()));
    }

    private void enqueue(Attempt attempt) {
        attempts.add(attempt);
        if (shutdown && attempts.remove(attempt)) { // raced with close(): nobody may take it any more
            finish(attempt.result(), "exporter shut down");
        }
    }

    /** A sender thread: takes attempts in turn and makes them over its one connection. */
    private final class Sender implements Runnable {
        /** The open connection, or null; volatile for {@link #close} from another thread. */
        private volatile PostConnection connection;

        @Override
        public void run() {
            try {
                while (true) {
                    Attempt a = attempts.take();
                    if (a == STOP) {
                        return;
                    }
                    make(a);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                close();
            }
        }

        private void make(Attempt a) {
            if (shutdown) {
                finish(a.result(), "exporter shut down");
                return;
            }
            PostConnection.Answer answer;
            try {
                answer = exchange(a);
            } catch (IOException | RuntimeException e) {
                close();
                if (shutdown) {
                    finish(a.result(), "exporter shut down");
                    return;
                }
                boolean overran = System.nanoTime() - a.deadline() >= 0;
                retryOrFinish(a, overran || e instanceof SocketTimeoutException
                        ? "no answer within " + timeout.toMillis() + " ms" : describe(e), null);
                return;
            }
            if (!answer.keepAlive()) {
                close();
            }
            int status = answer.status();
            if (status >= 200 && status < 300) {
                a.result().delivered();
            } else if (!RetryBackoff.retryableStatus(status)) {
                finish(a.result(), "status " + status + " (not retryable)");
            } else {
                retryOrFinish(a, "status " + status, RetryBackoff.retryAfter(answer.retryAfter()));
            }
        }

        /**
         * One post, over the kept connection when there is one. A kept connection the server
         * closed while it was idle fails before any answer arrives: the post is made once more
         * on a new connection, which is not counted as an attempt.
         */
        private PostConnection.Answer exchange(Attempt a) throws IOException {
            PostConnection c = connection;
            if (c != null) {
                try {
                    return postWithin(c, a);
                } catch (IOException e) {
                    close();
                    if (!c.nothingAnswered() || shutdown || System.nanoTime() - a.deadline() >= 0) {
                        throw e;
                    }
                }
            }
            c = PostConnection.open(endpoint, tls, millisLeft(a));
            connection = c;
            return postWithin(c, a);
        }

        /** Posts on {@code c}; a write the server does not read is cut off at the deadline. */
        private PostConnection.Answer postWithin(PostConnection c, Attempt a) throws IOException {
            Future<?> watchdog = timers.schedule(c::close, Math.max(0, a.deadline() - System.nanoTime()), TimeUnit.NANOSECONDS);
            try {
                Body b = a.body();
                return c.post(PostConnection.head(headPrefix, b.length()), b.bytes(), b.offset(), b.length(), millisLeft(a));
            } finally {
                watchdog.cancel(false);
            }
        }

        void close() {
            PostConnection c = connection;
            connection = null;
            if (c != null) {
                c.close();
            }
        }
    }

    /** Whole milliseconds to the deadline, rounded up, so that a read timing out has reached it. */
    private static int millisLeft(Attempt a) {
        long ms = (a.deadline() - System.nanoTime() + 999_999) / 1_000_000;
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, ms));
    }

    private static String describe(Exception e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    private void retryOrFinish(Attempt a, String problem, Duration wait) {
        if (wait == null) {
            wait = RetryBackoff.after(a.number());
        }
        long left = a.deadline() - System.nanoTime();
        if (a.number() >= RetryBackoff.MAX_ATTEMPTS || shutdown || left <= 0) {
            finish(a.result(), problem + " after " + a.number() + " attempt" + (a.number() == 1 ? "" : "s"));
            return;
        }
        Duration delay = wait.toNanos() < left ? wait : Duration.ofNanos(left);
        Attempt next = new Attempt(a.body(), a.result(), a.number() + 1, a.deadline());
        waitingRetries.schedule(retry -> timer.schedule(retry, delay), () -> {
            if (shutdown) {
                finish(next.result(), "exporter shut down");
            } else {
                enqueue(next);
            }
        }, () -> finish(next.result(), "exporter shut down"));
    }

    private void finish(Result result, String why) {
        result.failed("OTLP export to " + endpoint + " failed: " + why);
    }

    /**
     * Stops the senders: posts not yet made, and posts waiting to be retried, fail with "exporter
     * shut down", and a post on the wire is cut off (the exporters wait for theirs to end before
     * they close this). Returns once every post has been answered, or after a second per sender.
     */
    @Override
    public void close() {
        shutdown = true;
        List<Attempt> left = new ArrayList<>();
        attempts.drainTo(left);
        for (Attempt a : left) {
            if (a != STOP) {
                finish(a.result(), "exporter shut down");
            }
        }
        for (Sender s : senders) {
            attempts.add(STOP);
            s.close();
        }
        timers.shutdownNow(); // retries it held are never run: failed below
        waitingRetries.giveUpAll();
        for (Thread t : senderThreads) { // a post cut off answers on its sender's thread
            try {
                t.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
