package io.linuxaio.examples.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@link ResponseHead} writes the bytes Netty's encoder writes for the same head, and leaves exactly the body's room. */
class ResponseHeadTest {

    @Test
    void theHeadIsTheEncodersBytesWithExactlyTheBodysRoomBehind() {
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.PARTIAL_CONTENT);
        response.headers()
                .set(HttpHeaderNames.DATE, "Wed, 02 Dec 2026 05:25:49 GMT")
                .set(HttpHeaderNames.ETAG, "\"20e178-400-18ed47b4e4cabcd5\"")
                .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .set(HttpHeaderNames.CONTENT_LENGTH, 11)
                .set(HttpHeaderNames.CONTENT_RANGE, "bytes 10-20/1024")
                .add(HttpHeaderNames.VARY, "Accept-Encoding")
                .add(HttpHeaderNames.VARY, "Origin")
                .set("x-odd", "caf\u00e9"); // not ASCII: the encoder writes '?', and so must the head
        assertHeadAsEncoded(response, 11);
        assertHeadAsEncoded(new DefaultHttpResponse(HttpVersion.HTTP_1_0, HttpResponseStatus.OK), 0);
    }

    private static void assertHeadAsEncoded(HttpResponse response, int bodyBytes) {
        ByteBuf head = ResponseHead.withRoomFor(ByteBufAllocator.DEFAULT, response, bodyBytes);
        EmbeddedChannel encoder = new EmbeddedChannel(new HttpResponseEncoder());
        try {
            encoder.writeOutbound(new DefaultHttpResponse(response.protocolVersion(), response.status(), response.headers()));
            ByteBuf encoded = encoder.readOutbound();
            try {
                // ISO-8859-1 maps each byte to one character: equal strings are equal bytes.
                assertEquals(encoded.toString(StandardCharsets.ISO_8859_1), head.toString(StandardCharsets.ISO_8859_1));
            } finally {
                encoded.release();
            }
            assertEquals(bodyBytes, head.writableBytes(), "room for the body and no more");
            assertEquals(head.capacity(), head.maxCapacity(), "the body's room is all there is");
        } finally {
            head.release();
            encoder.finishAndReleaseAll();
        }
    }
}
