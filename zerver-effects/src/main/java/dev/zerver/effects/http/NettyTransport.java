package dev.zerver.effects.http;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.pool.AbstractChannelPoolHandler;
import io.netty.channel.pool.FixedChannelPool;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLException;

/**
 * The HTTP/1.1 client under {@link HttpEffects}, on Netty, which the server already runs on: one
 * I/O thread of its own, a pool of keep-alive connections per host and port, Netty's client codec,
 * TLS with host name verification through the JDK's engine and trust store. The response is read
 * whole; completions run on the I/O thread and settle the effect there. It replaced Apache
 * HttpClient 5's asynchronous client: its thread costs less per call (see bench/README.md) and the
 * framework has one network stack.
 *
 * <p>The client keeps no cookies, follows no redirects, retries nothing (retries are the effect's
 * policy) and asks for no compression.
 */
final class NettyTransport implements AutoCloseable {
    /** Called once with the status and body, or with the error. */
    interface Completion {
        void done(int status, byte[] body, Throwable error);
    }

    /** A response body beyond this fails the call ({@code io_error}) instead of filling the heap. */
    static final int MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
    private static final AttributeKey<Exchange> EXCHANGE = AttributeKey.valueOf("zerver.http.exchange");

    private final EventLoopGroup io;
    private final Bootstrap bootstrap;
    private final LookupsOffTheLoop lookups = new LookupsOffTheLoop();
    private final int maxPerPeer;
    private final ConcurrentHashMap<Peer, FixedChannelPool> pools = new ConcurrentHashMap<>();
    private volatile SslContext tls;

    private record Peer(String host, int port, boolean tls) {}

    /** {@code maxPerPeer}: pooled connections per host and port; calls beyond wait for one. */
    NettyTransport(Duration connectTimeout, int maxPerPeer) {
        this.io = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("zerver-http-client", true),
                NioIoHandler.newFactory());
        this.bootstrap = new Bootstrap().group(io).channel(NioSocketChannel.class).resolver(lookups)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
                .option(ChannelOption.TCP_NODELAY, true);
        this.maxPerPeer = maxPerPeer;
    }

    /**
     * Sends one request; {@code headers} holds name/value pairs, {@code timeout} bounds the wait
     * for the whole response (from this call on).
     *
     * @return cancels the exchange (a no-op once it completed)
     */
    Runnable send(String method, URI uri, List<String[]> headers, byte[] body, Duration timeout,
            Completion done) {
        boolean secure = "https".equalsIgnoreCase(uri.getScheme());
        if (!secure && !"http".equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException("not an http or https URL: " + RedactedUrl.of(uri.toString()));
        }
        Peer peer = new Peer(uri.getHost(), uri.getPort() > 0 ? uri.getPort() : secure ? 443 : 80, secure);
        FixedChannelPool pool = pools.computeIfAbsent(peer, this::newPool);
        FullHttpRequest request = request(method, uri, peer, headers, body);
        Exchange x = new Exchange(pool, done);
        // One hand-off to the I/O thread: the timer, the pool and the write all start there.
        EventLoop loop = io.next();
        loop.execute(() -> {
            if (x.settled.get()) { // cancelled before it started
                request.release();
                return;
            }
            x.timer = loop.schedule(() -> x.abandon(new SocketTimeoutException(
                    "no response from " + peer.host() + ":" + peer.port() + " within " + timeout.toMillis() + " ms")),
                    timeout.toNanos(), TimeUnit.NANOSECONDS);
            pool.acquire().addListener((Future<Channel> acquired) -> write(x, acquired, request));
        });
        return () -> x.abandon(new CancellationException("cancelled"));
    }

    private static void write(Exchange x, Future<Channel> acquired, FullHttpRequest request) {
        if (!acquired.isSuccess()) {
            request.release();
            Throwable why = acquired.cause();
            if (why instanceof ConnectTimeoutException) { // a ConnectException to Netty, a time-out to the effect
                why = new SocketTimeoutException(why.getMessage());
            }
            x.settle(0, null, why);
            return;
        }
        Channel ch = acquired.getNow();
        if (!x.attach(ch)) { // cancelled or timed out while the connection was coming
            request.release();
            x.pool.release(ch);
            return;
        }
        ch.writeAndFlush(request).addListener(written -> {
            if (!written.isSuccess()) {
                ch.close(); // ends the exchange through channelInactive
            }
        });
    }

    private static FullHttpRequest request(String method, URI uri, Peer peer, List<String[]> headers, byte[] body) {
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            path += "?" + uri.getRawQuery();
        }
        FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(method), path,
                body == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        boolean defaultPort = peer.port() == (peer.tls() ? 443 : 80);
        r.headers().set(HttpHeaderNames.HOST, defaultPort ? peer.host() : peer.host() + ":" + peer.port());
        for (String[] h : headers) {
            r.headers().add(h[0], h[1]);
        }
        if (body != null) {
            HttpUtil.setContentLength(r, body.length);
            if (!r.headers().contains(HttpHeaderNames.CONTENT_TYPE)) {
                r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream");
            }
        }
        return r;
    }

    private FixedChannelPool newPool(Peer peer) {
        return new FixedChannelPool(bootstrap.clone().remoteAddress(peer.host(), peer.port()), new AbstractChannelPoolHandler() {
            @Override
            public void channelCreated(Channel ch) throws SSLException {
                if (peer.tls()) {
                    ch.pipeline().addLast(tls().newHandler(ch.alloc(), peer.host(), peer.port()));
                }
                ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(MAX_RESPONSE_BYTES),
                        new ResponseHandler());
            }
        }, maxPerPeer);
    }

    private SslContext tls() throws SSLException {
        SslContext c = tls;
        if (c == null) {
            synchronized (this) {
                if (tls == null) {
                    tls = SslContextBuilder.forClient().endpointIdentificationAlgorithm("HTTPS").build();
                }
                c = tls;
            }
        }
        return c;
    }

    /** One call: settled exactly once, by the response, a failure, its time-out or its cancellation. */
    private static final class Exchange {
        private final FixedChannelPool pool;
        private final Completion done;
        private final AtomicBoolean settled = new AtomicBoolean();
        private volatile ScheduledFuture<?> timer;
        /** The connection carrying it, once acquired; guarded by this. */
        private Channel channel;

        Exchange(FixedChannelPool pool, Completion done) {
            this.pool = pool;
            this.done = done;
        }

        /** Puts the exchange on its connection; false when it was already settled. */
        synchronized boolean attach(Channel ch) {
            if (settled.get()) {
                return false;
            }
            channel = ch;
            ch.attr(EXCHANGE).set(this);
            return true;
        }

        void settle(int status, byte[] body, Throwable error) {
            if (settled.compareAndSet(false, true)) {
                if (timer != null) {
                    timer.cancel(false);
                }
                done.done(status, body, error);
            }
        }

        /** Ends the call before its response: the connection, if any, is closed (a late response has no reader). */
        void abandon(Throwable why) {
            Channel ch;
            synchronized (this) {
                settle(0, null, why);
                ch = channel;
            }
            if (ch != null) {
                ch.close();
            }
        }
    }

    /** Ends the exchange on its connection and returns the connection to its pool, exactly once. */
    private static final class ResponseHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            Exchange x = ctx.channel().attr(EXCHANGE).getAndSet(null);
            if (x == null) {
                ctx.close(); // a response nobody asked for
                return;
            }
            if (!HttpUtil.isKeepAlive(response)) {
                ctx.close();
            }
            byte[] body = ByteBufUtil.getBytes(response.content());
            x.pool.release(ctx.channel());
            x.settle(response.status().code(), body, null);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            end(ctx, new IOException("connection closed before the response was complete"));
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            if (event instanceof SslHandshakeCompletionEvent handshake && !handshake.isSuccess()) {
                end(ctx, handshake.cause()); // before the close it causes, so the call says why
            }
            ctx.fireUserEventTriggered(event);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
            // The codec wraps what went wrong while reading (a TLS alert, a malformed response).
            end(ctx, cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause);
        }

        private static void end(ChannelHandlerContext ctx, Throwable why) {
            Exchange x = ctx.channel().attr(EXCHANGE).getAndSet(null);
            if (x != null) {
                x.pool.release(ctx.channel());
                x.settle(0, null, why);
            }
        }
    }

    @Override
    public void close() {
        pools.values().forEach(FixedChannelPool::close);
        io.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        lookups.close();
    }
}
