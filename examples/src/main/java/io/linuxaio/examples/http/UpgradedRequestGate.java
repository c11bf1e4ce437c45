package io.linuxaio.examples.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * On a connection upgraded to h2c, holds the upgrade request (stream 1) back from the handlers
 * that answer it until the client's connection preface has arrived, its first SETTINGS frame.
 *
 * <p>Why: curl 7.88 (Debian 12's) reads the 101 and whatever follows it in one read, and fails
 * the transfer ("connection buffer size is too small to store data following HTTP Upgrade
 * response header") when more than 32 KiB followed: a cached file's first window of DATA, sent at
 * once, did. A client sends its preface as soon as it has read the 101, so the answer then waits
 * for one round trip, and the 101 leaves followed by the server's SETTINGS alone. A client that
 * never sends the preface HTTP/2 requires of it gets no answer on stream 1.
 *
 * <p>Sits between the frame codec and the stream multiplexer, and leaves the pipeline once open.
 * On the connection's event loop only.
 */
final class UpgradedRequestGate extends ChannelInboundHandlerAdapter {
    private final ArrayDeque<Object> held = new ArrayDeque<>();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2SettingsFrame) {
            ctx.fireChannelRead(msg);
            ctx.pipeline().remove(this); // what it held goes on behind the SETTINGS, from handlerRemoved
            return;
        }
        if (msg instanceof Http2StreamFrame frame && frame.stream() != null
                && frame.stream().id() == Http2CodecUtil.HTTP_UPGRADE_STREAM_ID) {
            held.add(msg);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        // Removed as the preface came: the frames go on to their stream. Removed with a closing
        // channel: there is no stream left to answer, and they are released here.
        Object msg;
        while ((msg = held.poll()) != null) {
            if (ctx.channel().isActive()) {
                ctx.fireChannelRead(msg);
            } else {
                ReferenceCountUtil.release(msg);
            }
        }
    }
}
