package io.linuxaio.examples.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * The end of an HTTP/2 connection's own pipeline (its streams have pipelines of their own): what
 * {@link FileRequestHandler} does for an HTTP/1.1 connection as a whole. An idle connection is
 * closed; an error ends it quietly; the server's {@link FileRequestHandler#DRAIN} sends GOAWAY,
 * lets the streams already begun finish, and closes the connection once the last one's bytes
 * are written.
 *
 * <p>It does not leave that to the frame codec's own graceful close, which closes the channel as
 * soon as the last stream is marked closed: that is when its last frame is handed to the channel,
 * not when it is written, so a response still in the socket's queue would be cut off.
 */
final class Http2ConnectionEvents extends ChannelInboundHandlerAdapter {
    private boolean draining;

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent) {
            ctx.close();
        } else if (event == FileRequestHandler.DRAIN) {
            drain(ctx);
        } else {
            ctx.fireUserEventTriggered(event);
        }
    }

    private void drain(ChannelHandlerContext ctx) {
        if (draining) {
            return;
        }
        draining = true;
        Http2Connection connection = ctx.pipeline().get(Http2FrameCodec.class).connection();
        // The streams the client has opened so far are answered; later ones are refused.
        ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
        if (connection.numActiveStreams() == 0) {
            ctx.close();
            return;
        }
        connection.addListener(new Http2ConnectionAdapter() {
            @Override
            public void onStreamClosed(Http2Stream stream) {
                if (connection.numActiveStreams() == 0) {
                    // Now, with no stream left, the codec's close writes after the last frame and
                    // closes when that write is done; later, off the flow controller's stack.
                    ctx.executor().execute(ctx::close);
                }
            }
        });
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // The frame codec has answered what HTTP/2 lets it answer (GOAWAY, RST_STREAM); a reset
        // or a broken pipe leaves nothing to tell the peer.
        ctx.close();
    }
}
