package io.linuxaio.examples.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * The end of an HTTP/2 connection's own pipeline (its streams have pipelines of their own): what
 * {@link FileRequestHandler} does for an HTTP/1.1 connection as a whole. An idle connection is
 * closed; the server's {@link FileRequestHandler#DRAIN} closes it through the frame codec, which
 * sends GOAWAY, lets the streams already begun finish, then closes; an error ends it quietly.
 */
final class Http2ConnectionEvents extends ChannelInboundHandlerAdapter {

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent || event == FileRequestHandler.DRAIN) {
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(event);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // The frame codec has answered what HTTP/2 lets it answer (GOAWAY, RST_STREAM); a reset
        // or a broken pipe leaves nothing to tell the peer.
        ctx.close();
    }
}
