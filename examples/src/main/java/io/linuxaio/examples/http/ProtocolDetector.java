package io.linuxaio.examples.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.timeout.IdleStateEvent;
import java.util.List;

/**
 * The first handler of a plain connection: a client that begins with HTTP/2's connection preface
 * ({@code PRI * HTTP/2.0}, h2c by prior knowledge) gets the HTTP/2 handlers, any other the HTTP/1.1
 * ones; this then leaves the pipeline, handing on every byte it read. It decides at the first byte
 * that differs from the preface, so an HTTP/1.1 request waits for nothing.
 *
 * <p>Until it has decided, it closes the connection when it goes idle or the server drains.
 */
final class ProtocolDetector extends ByteToMessageDecoder {
    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

    private final Pipelines pipelines;

    ProtocolDetector(Pipelines pipelines) {
        this.pipelines = pipelines;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int compared = Math.min(in.readableBytes(), PREFACE.readableBytes());
        if (!ByteBufUtil.equals(PREFACE, PREFACE.readerIndex(), in, in.readerIndex(), compared)) {
            pipelines.http1(ctx.pipeline());
        } else if (compared == PREFACE.readableBytes()) {
            pipelines.http2(ctx.pipeline());
        } else {
            return; // a prefix of the preface so far
        }
        ctx.pipeline().remove(this); // what it holds goes on to the handlers just added
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent || event == FileRequestHandler.DRAIN) {
            ctx.close();
        } else {
            super.userEventTriggered(ctx, event);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // a reset before the first request: nothing to answer
    }
}
