package io.linuxaio.examples.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;

/**
 * An HTTP/1.1 response's head as the bytes Netty's {@code HttpResponseEncoder} writes for it (the
 * status line, each header line, the empty line), at the start of a direct buffer with room for the
 * body behind it. A small cached body is read straight in there: one buffer and one write a
 * response, where the encoder allocates a buffer for the head and then copies the body into it or
 * writes the body as a second buffer under a combined promise.
 *
 * <p>Stateless; any thread.
 */
final class ResponseHead {
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] COLON_SPACE = {':', ' '};

    private ResponseHead() {}

    /**
     * A buffer holding {@code response}'s head, exactly sized for it and {@code bodyBytes} more.
     * Header names and values are written one byte a character, US-ASCII (anything else as
     * {@code ?}), as the encoder writes them.
     *
     * @throws OutOfMemoryError if no direct memory is left for it
     */
    static ByteBuf withRoomFor(ByteBufAllocator alloc, HttpResponse response, int bodyBytes) {
        String version = response.protocolVersion().text();
        CharSequence code = response.status().codeAsText();
        String reason = response.status().reasonPhrase();
        int size = version.length() + 1 + code.length() + 1 + reason.length() + CRLF.length + CRLF.length;
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = response.headers().iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> header = it.next();
            size += header.getKey().length() + COLON_SPACE.length + header.getValue().length() + CRLF.length;
        }
        ByteBuf buf = alloc.directBuffer(size + bodyBytes, size + bodyBytes);
        buf.writeCharSequence(version, StandardCharsets.US_ASCII);
        buf.writeByte(' ');
        buf.writeCharSequence(code, StandardCharsets.US_ASCII);
        buf.writeByte(' ');
        buf.writeCharSequence(reason, StandardCharsets.US_ASCII);
        buf.writeBytes(CRLF);
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = response.headers().iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> header = it.next();
            buf.writeCharSequence(header.getKey(), StandardCharsets.US_ASCII);
            buf.writeBytes(COLON_SPACE);
            buf.writeCharSequence(header.getValue(), StandardCharsets.US_ASCII);
            buf.writeBytes(CRLF);
        }
        buf.writeBytes(CRLF);
        return buf;
    }
}
