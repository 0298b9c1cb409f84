package dev.zerver.internal.http;

import dev.zerver.Decision;
import dev.zerver.ErrorRenderer;
import dev.zerver.Response;
import dev.zerver.spi.InFlightRequest;
import dev.zerver.spi.InboundRequest;
import dev.zerver.spi.ResponseSink;
import dev.zerver.internal.runtime.ZerverRuntime;
import dev.zerver.spi.Clock;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Map.Entry;
import java.util.TreeMap;

/**
 * One connection's requests: hands each to the runtime and writes the responses in request order
 * (pipelining-safe), closing the connection after a rejection, a {@code Connection: close} or an
 * HTTP/1.0 request without keep-alive. All its state is touched on the connection's event loop.
 */
final class Exchange extends ChannelInboundHandlerAdapter {
    private static final System.Logger LOG = System.getLogger(Exchange.class.getName());

    /**
     * Requests received but not answered, beyond which the connection stops reading (Netty's
     * codec refuses more than 128 outstanding on one connection).
     */
    static final int MAX_UNANSWERED = 64;

    private record Ready(FullHttpResponse response, boolean close, ResponseSink.Written written, long bodyBytes) {}

    /** A request and when its head was parsed. */
    private record Arrived(FullHttpRequest request, long startNanos) {}

    private final ZerverRuntime runtime;
    private final Clock clock;
    private final TreeMap<Long, Ready> ready = new TreeMap<>();
    private final Map<Long, InFlightRequest> inFlight = new HashMap<>();
    /** Requests (or rejections) held back while {@link #MAX_UNANSWERED} are outstanding, in arrival order. */
    private final ArrayDeque<Object> waiting = new ArrayDeque<>();
    private long nextSequence;
    private long nextToWrite;
    private boolean closing;
    /** The client shut its sending side: answer what it sent, then close. */
    private boolean inputClosed;
    private ChannelFuture lastWrite;
    /** The connection's two addresses as text, made once when it opens (not per request); null if not IP. */
    private String clientAddress;
    private int clientPort;
    private String localAddress;
    private int localPort;

    Exchange(ZerverRuntime runtime) {
        this.runtime = runtime;
        this.clock = runtime.clock();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (ctx.channel().remoteAddress() instanceof InetSocketAddress remote) {
            clientAddress = text(remote);
            clientPort = remote.getPort();
        }
        if (ctx.channel().localAddress() instanceof InetSocketAddress local) {
            localAddress = text(local);
            localPort = local.getPort();
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpRequest req) {
            // Taken now: the next pipelined request's head overwrites it.
            Long start = ctx.channel().attr(StartStamp.START).getAndSet(null);
            msg = new Arrived(req, start == null ? -1 : start);
        } else if (!(msg instanceof Rejection)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (closing) {
            release(msg);
            return;
        }
        if (!waiting.isEmpty() || unanswered() >= MAX_UNANSWERED) {
            // Pipelining beyond the limit: hold the request, and read no more until answers go out.
            waiting.add(msg);
            ctx.channel().config().setAutoRead(false);
            return;
        }
        handle(ctx, msg);
    }

    private int unanswered() {
        return inFlight.size() + ready.size();
    }

    /** Dispatches held requests while there is room, then reads again. */
    private void admitWaiting(ChannelHandlerContext ctx) {
        while (!closing && !waiting.isEmpty() && unanswered() < MAX_UNANSWERED) {
            handle(ctx, waiting.poll());
        }
        if (!closing && waiting.isEmpty() && !ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    private void handle(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Rejection r) {
            reject(ctx, r);
            return;
        }
        FullHttpRequest req = ((Arrived) msg).request();
        try {
            if (closing) {
                return;
            }
            if (req.decoderResult().isFailure()) {
                reject(ctx, rejectionFor(req.decoderResult().cause()));
                return;
            }
            Rejection invalid = checkVersionAndHost(req);
            if (invalid != null) {
                reject(ctx, invalid);
                return;
            }
            long sequence = nextSequence++;
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            HttpVersion version = req.protocolVersion();
            InboundRequest in = toInbound(ctx, req, ((Arrived) msg).startNanos());
            inFlight.put(sequence, runtime.dispatch(in, (response, head, written) ->
                    ctx.executor().execute(() -> {
                        inFlight.remove(sequence);
                        enqueue(ctx, sequence, response, head, keepAlive, version, written);
                    })));
        } finally {
            req.release();
        }
    }

    /** "1.1" or "1.0" as constants, not a new string per request (only HTTP/1.x gets this far). */
    private static String versionText(HttpVersion version) {
        int minor = version.minorVersion();
        return minor == 1 ? "1.1" : minor == 0 ? "1.0" : "1." + minor;
    }

    private static void release(Object msg) {
        if (msg instanceof Arrived a) {
            a.request().release();
        }
    }

    /**
     * RFC 9112: only HTTP/1.x is spoken here (505 otherwise), and an HTTP/1.1 request carries
     * exactly one {@code Host} (400 otherwise).
     */
    private static Rejection checkVersionAndHost(FullHttpRequest req) {
        HttpVersion version = req.protocolVersion();
        if (version.majorVersion() != 1) {
            return new Rejection(505, "request", "http_version_unsupported");
        }
        if (version.minorVersion() >= 1) {
            int hosts = req.headers().getAll(HttpHeaderNames.HOST).size();
            if (hosts != 1) {
                return new Rejection(400, "request", hosts == 0 ? "host_missing" : "host_repeated");
            }
        }
        return null;
    }

    private static Rejection rejectionFor(Throwable cause) {
        if (cause instanceof TooLongHttpHeaderException) {
            return new Rejection(431, "headers", "too_large");
        }
        if (cause instanceof TooLongHttpLineException) {
            return new Rejection(414, "uri", "too_long");
        }
        if (cause instanceof TooLongFrameException) {
            return new Rejection(431, "headers", "too_large");
        }
        return new Rejection(400, "request", "malformed");
    }

    private void reject(ChannelHandlerContext ctx, Rejection r) {
        if (closing) {
            return;
        }
        long sequence = nextSequence++;
        Response body = ErrorRenderer.json().render(null, new Decision.Fail(r.status(), r.what(), r.key()));
        FullHttpResponse response = toNetty(body, false, HttpVersion.HTTP_1_1, true);
        closing = true;
        ctx.channel().config().setAutoRead(false);
        ready.put(sequence, new Ready(response, true, null, body.body().length));
        flush(ctx);
    }

    private InboundRequest toInbound(ChannelHandlerContext ctx, FullHttpRequest req, long startNanos) {
        InboundRequest.Builder b = InboundRequest.builder()
                .method(req.method().name())
                .uri(originForm(req.uri()))
                .protocolVersion(versionText(req.protocolVersion()))
                .body(ByteBufUtil.getBytes(req.content()));
        for (Entry<String, String> h : req.headers()) {
            b.header(h.getKey(), h.getValue());
        }
        if (clientAddress != null) {
            b.client(clientAddress, clientPort);
        }
        if (localAddress != null) {
            b.local(localAddress, localPort);
        }
        return b.startNanos(startNanos).build();
    }

    private static String text(InetSocketAddress address) {
        return address.getAddress() == null ? address.getHostString() : address.getAddress().getHostAddress();
    }

    /** {@code http://host/p?q} (absolute form) becomes {@code /p?q}. */
    private static String originForm(String uri) {
        if (uri.startsWith("http://") || uri.startsWith("https://")) {
            int slash = uri.indexOf('/', uri.indexOf("//") + 2);
            return slash < 0 ? "/" : uri.substring(slash);
        }
        return uri;
    }

    private void enqueue(ChannelHandlerContext ctx, long sequence, Response response, boolean head, boolean keepAlive,
            HttpVersion version, ResponseSink.Written written) {
        // While the server drains for shutdown, every response says so, so that no client sends
        // another request on a connection about to close.
        boolean close = !keepAlive || !runtime.accepting();
        FullHttpResponse out = toNetty(response, head, version, close);
        ready.put(sequence, new Ready(out, close, written, head ? 0 : response.body().length));
        flush(ctx);
    }

    private static FullHttpResponse toNetty(Response response, boolean head, HttpVersion version, boolean close) {
        byte[] body = response.body();
        FullHttpResponse out = new DefaultFullHttpResponse(version, HttpResponseStatus.valueOf(response.status()),
                head || body.length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        for (Map.Entry<String, String> h : response.headers()) {
            out.headers().set(h.getKey(), h.getValue());
        }
        out.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        if (close) {
            out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (version.equals(HttpVersion.HTTP_1_0)) {
            out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        return out;
    }

    /** Writes every response whose turn has come. */
    private void flush(ChannelHandlerContext ctx) {
        while (!ready.isEmpty() && ready.firstKey() == nextToWrite) {
            Ready r = ready.pollFirstEntry().getValue();
            nextToWrite++;
            ChannelFuture future = ctx.writeAndFlush(r.response());
            lastWrite = future;
            if (r.written() != null) {
                future.addListener(f -> r.written().at(clock.nanoTime(), r.bodyBytes()));
            }
            if (r.close()) {
                closing = true;
                future.addListener(ChannelFutureListener.CLOSE);
                releaseRest();
                return;
            }
        }
        admitWaiting(ctx);
        closeIfInputDone(ctx);
    }

    /** After a half-close, the connection closes once every request received has been answered. */
    private void closeIfInputDone(ChannelHandlerContext ctx) {
        if (!inputClosed || closing || unanswered() > 0 || !waiting.isEmpty()) {
            return;
        }
        closing = true;
        if (lastWrite == null || lastWrite.isDone()) {
            ctx.close();
        } else {
            lastWrite.addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void releaseRest() {
        for (Ready r : ready.values()) {
            r.response().release();
            if (r.written() != null) {
                r.written().at(clock.nanoTime(), 0);
            }
        }
        ready.clear();
        while (!waiting.isEmpty()) {
            release(waiting.poll());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        for (InFlightRequest r : inFlight.values()) {
            r.cancel("client_gone");
        }
        inFlight.clear();
        releaseRest();
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputClosed = true;
            closeIfInputDone(ctx);
            return;
        }
        if (evt instanceof IdleStateEvent && unanswered() == 0 && waiting.isEmpty()) {
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.log(System.Logger.Level.DEBUG, "connection " + ctx.channel() + " failed", cause);
        ctx.close();
    }
}
