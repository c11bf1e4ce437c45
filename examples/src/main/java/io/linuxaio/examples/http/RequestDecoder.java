package io.linuxaio.examples.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2CodecUtil;
import java.nio.charset.StandardCharsets;
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
 * <p>A request whose first line cannot be parsed comes out as a {@link MalformedRequest} that
 * carries that line as it arrived (Netty's own stand-in says {@code GET /bad-request HTTP/1.0}),
 * for the access log.
 *
 * <p>One per connection; used on its event loop only.
 */
final class RequestDecoder extends HttpRequestDecoder {
    /** The most bytes of a malformed first line kept for the log; a line over 8 KiB is a 414 anyway. */
    static final int MAX_KEPT_LINE = 1024;

    private ChannelHandlerContext ctx;
    private boolean paused;
    private boolean reading;
    /** Whether the next bytes to parse begin a request: its first line is still unparsed. */
    private boolean atRequestStart = true;
    /** While a call to Netty's decode runs at a request's start: where that request's bytes begin. */
    private ByteBuf lineBuffer;
    private int lineStart;

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
        if (paused) {
            return;
        }
        // Netty consumes nothing of a first line until it has all of it, so the line starts here;
        // when it cannot be parsed, createInvalidMessage (called in there) reads it back from here.
        if (atRequestStart) {
            lineBuffer = buffer;
            lineStart = buffer.readerIndex();
        }
        int before = out.size();
        try {
            super.decode(ctx, buffer, out);
        } finally {
            lineBuffer = null;
        }
        for (int i = before; i < out.size(); i++) {
            Object message = out.get(i);
            if (message instanceof HttpRequest) {
                atRequestStart = false;
            }
            if (message instanceof LastHttpContent) { // also a FullHttpRequest: a malformed one
                atRequestStart = true;
            }
        }
    }

    /**
     * Netty's stand-in for a request whose first line could not be parsed; a failure later (in the
     * headers) keeps the request Netty parsed. The bytes are still in the buffer, though Netty has
     * skipped them: its line, after any empty lines before it, up to {@value #MAX_KEPT_LINE} bytes.
     */
    @Override
    protected HttpMessage createInvalidMessage() {
        String line = "";
        if (atRequestStart && lineBuffer != null) {
            int end = lineBuffer.writerIndex();
            int start = lineStart;
            while (start < end && isLineEnd(lineBuffer.getByte(start))) {
                start++;
            }
            int stop = start;
            while (stop < end && stop - start < MAX_KEPT_LINE && !isLineEnd(lineBuffer.getByte(stop))) {
                stop++;
            }
            line = lineBuffer.toString(start, stop - start, StandardCharsets.ISO_8859_1); // a char per byte
        }
        return new MalformedRequest(line, headersFactory, trailersFactory);
    }

    private static boolean isLineEnd(byte b) {
        return b == '\r' || b == '\n';
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
