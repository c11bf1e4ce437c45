package io.linuxaio.netty;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pattern the static file server uses: response, region, last content, through HttpServerCodec. */
class HttpUsageTest {
    @TempDir
    Path dir;

    @Test
    void aResponseBodyIsSentByAioFileHandlerBehindHttpServerCodec() throws Exception {
        Path path = Fixtures.randomFile(dir, "body", 3_000_000, 40);
        byte[] content = Files.readAllBytes(path);
        for (boolean chunked : new boolean[] {false, true}) {
            try (Rig rig = new Rig(1)) {
                InetSocketAddress address = rig.serve(p -> p.addLast(new HttpServerCodec(), new AioFileHandler(rig.loops),
                        new SimpleChannelInboundHandler<HttpRequest>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, HttpRequest request) {
                                HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                                if (chunked) {
                                    HttpUtil.setTransferEncodingChunked(response, true);
                                } else {
                                    HttpUtil.setContentLength(response, content.length);
                                }
                                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                                ctx.write(response);
                                ctx.write(AioFileRegion.of(path.toString(), 0, AioFileRegion.TO_END));
                                ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
                            }
                        }));
                byte[] raw;
                try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
                    socket.getOutputStream().write("GET /body HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(US_ASCII));
                    raw = socket.getInputStream().readAllBytes();
                }
                int headerEnd = indexOf(raw, "\r\n\r\n".getBytes(US_ASCII), 0) + 4;
                String head = new String(raw, 0, headerEnd, US_ASCII);
                assertTrue(head.startsWith("HTTP/1.1 200 OK"), head);
                byte[] body = Arrays.copyOfRange(raw, headerEnd, raw.length);
                assertArrayEquals(content, chunked ? dechunk(body) : body, chunked ? "chunked body" : "body");
            }
        }
    }

    private static byte[] dechunk(byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = 0;
        for (;;) {
            int lineEnd = indexOf(body, "\r\n".getBytes(US_ASCII), at);
            int size = Integer.parseInt(new String(body, at, lineEnd - at, US_ASCII).trim(), 16);
            at = lineEnd + 2;
            if (size == 0) {
                return out.toByteArray();
            }
            out.write(body, at, size);
            at += size + 2;
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        outer:
        for (int i = from; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
