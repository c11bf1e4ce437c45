package io.linuxaio.examples.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultHttpContent;

/**
 * In an HTTP/2 stream's pipeline, between the HTTP/2 codec and {@code AioFileHandler}: the file
 * chunks the handler writes as plain {@code ByteBuf}s (which Netty's HTTP/1.1 encoder takes as they
 * are) become HTTP content, which the codec sends as DATA frames. Everything else passes untouched.
 * It keeps no state but a counter for tests, so one instance serves every stream of a server.
 */
@ChannelHandler.Sharable
final class ChunksAsContent extends ChannelOutboundHandlerAdapter {
    private final Probes probes;

    ChunksAsContent(Probes probes) {
        this.probes = probes;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf chunk) {
            probes.streamFileBytes.add(chunk.readableBytes());
            ctx.write(new DefaultHttpContent(chunk), promise);
        } else {
            ctx.write(msg, promise);
        }
    }
}
