package io.linuxaio.examples.http;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;

/**
 * A request whose first line could not be parsed, as {@link RequestDecoder} passes it on: Netty's
 * stand-in ({@code GET /bad-request HTTP/1.0}, with the decoder's failure as its result), plus the
 * line that really arrived, for the access log.
 */
final class MalformedRequest extends DefaultFullHttpRequest {
    private final String rawLine;

    MalformedRequest(String rawLine, HttpHeadersFactory headers, HttpHeadersFactory trailers) {
        super(HttpVersion.HTTP_1_0, HttpMethod.GET, "/bad-request", Unpooled.buffer(0), headers, trailers);
        this.rawLine = rawLine;
    }

    /** The first line as it arrived, one char per byte, without its line end; empty if there was none. */
    String rawLine() {
        return rawLine;
    }
}
