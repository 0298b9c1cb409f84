package dev.zerver.internal.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;

/** Aggregates bodies up to the limit; a larger body becomes a 413 rejection, answered in order. */
final class BodyLimit extends HttpObjectAggregator {
    BodyLimit(int maxBodyBytes) {
        super(maxBodyBytes);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        ctx.fireChannelRead(new Rejection(413, "body", "too_large"));
    }
}
