package dev.zerver.internal.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Cuts off a client that sends a request too slowly (the idle timeout only notices a client that
 * sends nothing): a request's header block must be complete within the header timeout of its first
 * byte, and its body must average at least the minimum rate once it has been arriving for
 * {@link #BODY_GRACE_NANOS}. Either failure is answered {@code 408} and the connection closed.
 *
 * <p>One per connection, in two places: {@link #bytes()} before the HTTP codec sees when a request
 * starts arriving, {@link #messages()} after it sees its head and body. All state is touched on
 * the connection's event loop.
 *
 * <p>The clocks are started when the bytes arrive but a timer is only set at the end of a read in
 * which the head or the body stayed incomplete: most requests arrive whole in one read, and
 * setting and cancelling two timers each (head, then body) was a measurable part of a small
 * request's cost on the event loop.
 */
final class SlowClientGuard {
    static final long BODY_GRACE_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final long RECHECK_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final long headerTimeoutNanos;
    private final long minBodyBytesPerSecond;
    private ChannelHandlerContext messagesCtx;
    private ScheduledFuture<?> timer;
    private boolean inHead;
    private long headStartNanos;
    private boolean inBody;
    private long bodyStartNanos;
    private long bodyBytes;

    /**
     * @param headerTimeoutNanos how long a header block may take
     * @param minBodyBytesPerSecond the slowest average body rate accepted; 0 accepts any
     */
    SlowClientGuard(long headerTimeoutNanos, long minBodyBytesPerSecond) {
        this.headerTimeoutNanos = headerTimeoutNanos;
        this.minBodyBytesPerSecond = minBodyBytesPerSecond;
    }

    /** Goes before the codec: a byte arriving between requests starts the header clock. */
    ChannelHandler bytes() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (!inHead && !inBody && msg instanceof ByteBuf b && b.isReadable()) {
                    inHead = true;
                    headStartNanos = System.nanoTime();
                }
                ctx.fireChannelRead(msg);
            }

            /** After the codec has seen everything read: time what is still incomplete. */
            @Override
            public void channelReadComplete(ChannelHandlerContext ctx) {
                if (timer == null) {
                    long now = System.nanoTime();
                    if (inHead) {
                        schedule(Math.max(0, headerTimeoutNanos - (now - headStartNanos)), SlowClientGuard.this::headerExpired);
                    } else if (inBody) {
                        schedule(Math.max(0, BODY_GRACE_NANOS - (now - bodyStartNanos)), SlowClientGuard.this::checkBodyRate);
                    }
                }
                ctx.fireChannelReadComplete();
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                cancel();
                ctx.fireChannelInactive();
            }
        };
    }

    /** Goes after the codec: a head stops the header clock, a body is timed until its last part. */
    ChannelHandler messages() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void handlerAdded(ChannelHandlerContext ctx) {
                messagesCtx = ctx;
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof HttpRequest) {
                    inHead = false;
                    cancel();
                    if (!(msg instanceof LastHttpContent) && minBodyBytesPerSecond > 0) {
                        inBody = true;
                        bodyStartNanos = System.nanoTime();
                        bodyBytes = 0;
                    }
                }
                if (msg instanceof HttpContent c) {
                    bodyBytes += c.content().readableBytes();
                }
                if (msg instanceof LastHttpContent) {
                    inBody = false;
                    cancel();
                }
                ctx.fireChannelRead(msg);
            }
        };
    }

    private void headerExpired() {
        if (deferWhileNotReading(this::headerExpired)) {
            return;
        }
        cutOff("header_timeout");
    }

    private void checkBodyRate() {
        if (!inBody || deferWhileNotReading(this::checkBodyRate)) {
            return;
        }
        double seconds = (System.nanoTime() - bodyStartNanos) / 1e9;
        if (bodyBytes < minBodyBytesPerSecond * seconds) {
            cutOff("body_too_slow");
        } else {
            schedule(RECHECK_NANOS, this::checkBodyRate);
        }
    }

    /** While the server itself has stopped reading (too many requests outstanding), the client is not to blame. */
    private boolean deferWhileNotReading(Runnable check) {
        if (messagesCtx.channel().config().isAutoRead()) {
            return false;
        }
        schedule(RECHECK_NANOS, check);
        return true;
    }

    private void cutOff(String key) {
        inHead = false;
        inBody = false;
        messagesCtx.fireChannelRead(new Rejection(408, "request", key));
    }

    private void schedule(long delayNanos, Runnable task) {
        cancel();
        if (messagesCtx != null) {
            timer = messagesCtx.executor().schedule(task, delayNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
