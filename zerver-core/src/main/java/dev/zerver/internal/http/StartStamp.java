package dev.zerver.internal.http;

import dev.zerver.spi.Clock;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AttributeKey;

/** Notes when each request's head was parsed: the start of its root span. */
final class StartStamp extends ChannelInboundHandlerAdapter {
    static final AttributeKey<Long> START = AttributeKey.valueOf("zerver.start");

    private final Clock clock;

    StartStamp(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
            ctx.channel().attr(START).set(clock.nanoTime());
        }
        ctx.fireChannelRead(msg);
    }
}
