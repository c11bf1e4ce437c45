package io.linuxaio.examples.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestDecoderTest {

    @Test
    void aPausedDecoderParsesNoFurtherRequestUntilResumed() {
        RequestDecoder decoder = new RequestDecoder(new HttpDecoderConfig());
        List<String> parsed = new ArrayList<>();
        EmbeddedChannel channel = new EmbeddedChannel(decoder, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof HttpRequest request) {
                    parsed.add(request.uri());
                    if (parsed.size() % 16 == 0) {
                        decoder.pause();
                    }
                }
                ReferenceCountUtil.release(msg);
            }
        });
        StringBuilder requests = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            requests.append("GET /").append(i).append(" HTTP/1.1\r\nHost: t\r\n\r\n");
        }
        channel.writeInbound(Unpooled.copiedBuffer(requests, StandardCharsets.US_ASCII));
        assertEquals(16, parsed.size(), "parsing stops at the pause, with the rest of the bytes held");
        for (int round = 2; parsed.size() < 200; round++) {
            decoder.resume();
            assertEquals(Math.min(200, 16 * round), parsed.size());
        }
        for (int i = 0; i < 200; i++) {
            assertEquals("/" + i, parsed.get(i));
        }
        decoder.resume();
        assertFalse(channel.finish());
    }
}
