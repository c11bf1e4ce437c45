package io.linuxaio.examples.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * Answers {@code GET} and {@code HEAD} of {@code /metrics} with a scrape of the registry, 404 for
 * any other path and 405 for any other method. Each request is answered as it is parsed, so
 * responses leave in order. Runs on the connection's event loop.
 */
final class MetricsHandler extends ChannelInboundHandlerAdapter {
    /** Prometheus's text exposition format, which every Prometheus version reads. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;

    MetricsHandler(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpRequest request) {
                answer(ctx, request);
            }
        } finally {
            ReferenceCountUtil.release(msg); // request bodies are not read
        }
    }

    private void answer(ChannelHandlerContext ctx, HttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request) && request.decoderResult().isSuccess();
        HttpMethod method = request.method();
        boolean head = HttpMethod.HEAD.equals(method);
        FullHttpResponse response;
        if (request.decoderResult().isFailure()) {
            response = text(ctx, HttpResponseStatus.BAD_REQUEST, "The request could not be parsed.\n", false);
        } else if (!head && !HttpMethod.GET.equals(method)) {
            response = text(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "Use GET.\n", false);
            response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
        } else if (!new QueryStringDecoder(request.uri()).path().equals(MetricsEndpoint.PATH)) {
            response = text(ctx, HttpResponseStatus.NOT_FOUND, "Only " + MetricsEndpoint.PATH + " is here.\n", head);
        } else {
            response = text(ctx, HttpResponseStatus.OK, registry.scrape(), head);
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, CONTENT_TYPE);
            response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        }
        HttpUtil.setKeepAlive(response, keepAlive);
        var written = ctx.writeAndFlush(response);
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** A response with {@code body} as UTF-8 text; for HEAD, its length with no body. */
    private static FullHttpResponse text(ChannelHandlerContext ctx, HttpResponseStatus status, String body, boolean head) {
        ByteBuf content = ByteBufUtil.writeUtf8(ctx.alloc(), body);
        int length = content.readableBytes();
        if (head) {
            content.release();
            content = ctx.alloc().buffer(0);
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, length);
        return response;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent) {
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(event);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // a reset or a broken pipe: nothing to tell a scraper that has gone
    }
}
