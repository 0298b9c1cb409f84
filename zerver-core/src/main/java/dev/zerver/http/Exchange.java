package dev.zerver.http;

import dev.zerver.Decision;
import dev.zerver.ErrorRenderer;
import dev.zerver.Response;
import dev.zerver.runtime.Clock;
import dev.zerver.runtime.InFlightRequest;
import dev.zerver.runtime.InboundRequest;
import dev.zerver.runtime.ResponseSink;
import dev.zerver.runtime.ZerverRuntime;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
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
import java.net.InetSocketAddress;
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

    private record Ready(FullHttpResponse response, boolean close, ResponseSink.Written written, long bodyBytes) {}

    private final ZerverRuntime runtime;
    private final Clock clock;
    private final TreeMap<Long, Ready> ready = new TreeMap<>();
    private final Map<Long, InFlightRequest> inFlight = new HashMap<>();
    private long nextSequence;
    private long nextToWrite;
    private boolean closing;

    Exchange(ZerverRuntime runtime) {
        this.runtime = runtime;
        this.clock = runtime.clock();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Rejection r) {
            reject(ctx, r);
            return;
        }
        if (!(msg instanceof FullHttpRequest req)) {
            io.netty.util.ReferenceCountUtil.release(msg);
            return;
        }
        try {
            if (closing) {
                return;
            }
            if (req.decoderResult().isFailure()) {
                reject(ctx, rejectionFor(req.decoderResult().cause()));
                return;
            }
            long sequence = nextSequence++;
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            HttpVersion version = req.protocolVersion();
            InboundRequest in = toInbound(ctx, req);
            inFlight.put(sequence, runtime.dispatch(in, (response, head, written) ->
                    ctx.executor().execute(() -> {
                        inFlight.remove(sequence);
                        enqueue(ctx, sequence, response, head, keepAlive, version, written);
                    })));
        } finally {
            req.release();
        }
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

    private InboundRequest toInbound(ChannelHandlerContext ctx, FullHttpRequest req) {
        InboundRequest.Builder b = InboundRequest.builder()
                .method(req.method().name())
                .uri(originForm(req.uri()))
                .protocolVersion(req.protocolVersion().majorVersion() + "." + req.protocolVersion().minorVersion())
                .body(ByteBufUtil.getBytes(req.content()));
        for (Entry<String, String> h : req.headers()) {
            b.header(h.getKey(), h.getValue());
        }
        if (ctx.channel().remoteAddress() instanceof InetSocketAddress remote) {
            b.client(remote.getAddress() == null ? remote.getHostString() : remote.getAddress().getHostAddress(),
                    remote.getPort());
        }
        if (ctx.channel().localAddress() instanceof InetSocketAddress local) {
            b.local(local.getAddress() == null ? local.getHostString() : local.getAddress().getHostAddress(),
                    local.getPort());
        }
        Long start = ctx.channel().attr(StartStamp.START).getAndSet(null);
        return b.startNanos(start == null ? -1 : start).build();
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
        boolean close = !keepAlive;
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
            var future = ctx.writeAndFlush(r.response());
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
    }

    private void releaseRest() {
        for (Ready r : ready.values()) {
            r.response().release();
            if (r.written() != null) {
                r.written().at(clock.nanoTime(), 0);
            }
        }
        ready.clear();
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
        if (evt instanceof IdleStateEvent && inFlight.isEmpty() && ready.isEmpty()) {
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
