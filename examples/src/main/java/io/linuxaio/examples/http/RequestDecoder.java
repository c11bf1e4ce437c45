package io.linuxaio.examples.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import java.util.List;

/**
 * Netty's request decoder, made to stop parsing while its connection has enough requests waiting.
 *
 * <p>Turning auto-read off stops reading the socket, but not decoding: a decoder parses every
 * request in the bytes it already holds, and one read can hold hundreds of pipelined requests.
 * {@link #pause()} makes it leave the bytes it holds unparsed (a few kilobytes, not hundreds of
 * request objects); {@link #resume()} parses on from where it stopped. Together with auto-read off
 * this bounds what a connection that pipelines without reading its answers can make the server
 * hold, and loses none of its requests.
 *
 * <p>One per connection; used on its event loop only.
 */
final class RequestDecoder extends HttpRequestDecoder {
    private ChannelHandlerContext ctx;
    private boolean paused;
    private boolean reading;

    RequestDecoder(HttpDecoderConfig config) {
        super(config);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
        this.ctx = ctx;
        super.handlerAdded(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        reading = true;
        try {
            super.channelRead(ctx, msg);
        } finally {
            reading = false;
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
        if (!paused) {
            super.decode(ctx, buffer, out);
        }
    }

    /** Parses no further request until {@link #resume()}; the one being parsed now still completes. */
    void pause() {
        paused = true;
    }

    boolean isPaused() {
        return paused;
    }

    /**
     * Whether the bytes read and not parsed yet are none, or the start of HTTP/2's connection
     * preface: after an h2c upgrade request, anything else is another HTTP/1.1 request, which a
     * 101 would leave unanswered.
     */
    boolean holdsNothingButAPreface() {
        ByteBuf held = internalBuffer();
        ByteBuf preface = Http2CodecUtil.connectionPrefaceBuf();
        try {
            int compared = Math.min(held.readableBytes(), preface.readableBytes());
            return ByteBufUtil.equals(preface, preface.readerIndex(), held, held.readerIndex(), compared);
        } finally {
            preface.release();
        }
    }

    /**
     * The bytes read and not parsed yet, now the caller's, leaving none behind: for a connection
     * that stops speaking HTTP/1.1 (an h2c upgrade), whose next bytes are for another codec.
     */
    ByteBuf takeUnread() {
        ByteBuf held = internalBuffer();
        return held.readRetainedSlice(held.readableBytes());
    }

    /**
     * Parses on: the requests already held are decoded and passed on now, unless this is called
     * from inside the decoder's own loop, which then carries on by itself.
     */
    void resume() {
        if (!paused) {
            return;
        }
        paused = false;
        if (reading || ctx == null || ctx.isRemoved() || actualReadableBytes() == 0) {
            return;
        }
        try {
            channelRead(ctx, Unpooled.EMPTY_BUFFER); // decodes what the cumulation holds
        } catch (Exception e) {
            ctx.fireExceptionCaught(e);
        }
    }
}
