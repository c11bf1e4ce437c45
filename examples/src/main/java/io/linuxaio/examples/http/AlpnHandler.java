package io.linuxaio.examples.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * After the TLS handshake, sets a connection up for the protocol ALPN chose: {@code h2}, or
 * HTTP/1.1 when the client chose that or offered nothing. A connection whose handshake fails, goes
 * idle, or is asked to drain before that is closed without a word in the log: a port scanner or a
 * plain HTTP client on the TLS port is no event worth a line.
 */
final class AlpnHandler extends ApplicationProtocolNegotiationHandler {
    private final Pipelines pipelines;

    AlpnHandler(Pipelines pipelines) {
        super(ApplicationProtocolNames.HTTP_1_1);
        this.pipelines = pipelines;
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
        switch (protocol) {
            case ApplicationProtocolNames.HTTP_2 -> pipelines.http2(ctx.pipeline());
            case ApplicationProtocolNames.HTTP_1_1 -> pipelines.http1(ctx.pipeline());
            default -> throw new IllegalStateException("ALPN chose a protocol never offered: " + protocol);
        }
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
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
