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
 * Stateless, so one instance serves every stream.
 */
@ChannelHandler.Sharable
final class ChunksAsContent extends ChannelOutboundHandlerAdapter {
    static final ChunksAsContent INSTANCE = new ChunksAsContent();

    private ChunksAsContent() {}

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        ctx.write(msg instanceof ByteBuf chunk ? new DefaultHttpContent(chunk) : msg, promise);
    }
}
