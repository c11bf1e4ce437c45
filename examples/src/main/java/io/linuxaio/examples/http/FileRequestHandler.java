package io.linuxaio.examples.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.time.Instant;
import java.util.ArrayDeque;

/**
 * A connection's requests, answered one at a time in the order they came, so pipelined responses
 * never overtake each other; or, in an HTTP/2 stream's child channel, the stream's one request.
 * The next response starts only when the previous one has been fully written, which also bounds
 * what one connection holds: one open file, and at most
 * {@link #MAX_WAITING} parsed requests; then the decoder pauses and the socket stops being read
 * until they are answered, and every request parsed is answered.
 *
 * <p>Runs on the channel's event loop only. Request bodies are not read: a request that has one is
 * answered and the connection closed (under HTTP/2, the stream reset), so no upload is swallowed
 * byte by byte. On a plain HTTP/1.1 connection a request that asks for h2c is answered over HTTP/2
 * ({@link H2cUpgrade}) when nothing else is under way on the connection.
 */
final class FileRequestHandler extends ChannelInboundHandlerAdapter {
    /** The user event that asks a connection to finish what it has received and close. */
    static final Object DRAIN = new Object() {
        @Override
        public String toString() {
            return "DRAIN";
        }
    };
    static final int MAX_WAITING = 16;

    private final Site site;
    /** Null in an HTTP/2 stream, which carries one request. */
    private final RequestDecoder decoder;
    /** Null over TLS and in a stream. */
    private final H2cUpgrade upgrade;
    private final ArrayDeque<HttpRequest> waiting = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private Exchange current;
    private boolean starting;
    private boolean draining;

    /**
     * @param decoder the HTTP/1.1 connection's decoder, or null for an HTTP/2 stream
     * @param upgrade how to upgrade a plain HTTP/1.1 connection to h2c, or null where none may
     */
    FileRequestHandler(Site site, RequestDecoder decoder, H2cUpgrade upgrade) {
        this.site = site;
        this.decoder = decoder;
        this.upgrade = upgrade;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpRequest request) {
                waiting.add(request);
                if (decoder != null && (waiting.size() >= MAX_WAITING || request.decoderResult().isFailure())) {
                    decoder.pause(); // the bytes already read stay unparsed until these are answered
                    ctx.channel().config().setAutoRead(false);
                }
                startNext();
            } else if (!(msg instanceof HttpContent)) {
                ctx.fireChannelRead(ReferenceCountUtil.retain(msg));
            }
        } finally {
            // Only headers and the URI are used; a body's bytes are dropped as they arrive.
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent) {
            // Neither a byte read nor one written for the whole timeout: a half-sent request, an
            // idle keep-alive connection, or a client that stopped reading. None may hold a slot.
            ctx.close();
        } else if (event == DRAIN) {
            draining = true;
            ctx.channel().config().setAutoRead(false);
            if (current == null && waiting.isEmpty()) {
                ctx.close();
            }
        } else {
            ctx.fireUserEventTriggered(event);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        waiting.clear();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A reset, a TLS failure, a broken pipe: the connection is done; nothing to tell the peer.
        ctx.close();
    }

    /** On the loop, once the exchange's last write has completed or failed. */
    void exchangeDone(Exchange exchange, boolean success) {
        if (exchange.status() != 0) {
            site.counters().responded(exchange.status(), success ? exchange.bodyBytes() : 0);
        }
        AccessLog log = site.accessLog();
        if (log != null && exchange.status() != 0) {
            HttpRequest request = exchange.request();
            // A stream's request comes from the HTTP/2 codec, which calls every request HTTP/1.1.
            String version = decoder == null ? "HTTP/2.0" : request.protocolVersion().text();
            String requestLine = request instanceof MalformedRequest malformed ? malformed.rawLine()
                    : request.method() + " " + request.uri() + " " + version;
            log.log(log.line(ctx.channel().remoteAddress(), Instant.now(), requestLine, exchange.status(),
                    success ? exchange.bodyBytes() : 0, request.headers().get(HttpHeaderNames.REFERER),
                    request.headers().get(HttpHeaderNames.USER_AGENT)));
        }
        current = null;
        if (!success || !exchange.keepAlive()) {
            waiting.clear();
            ctx.close();
            return;
        }
        startNext();
    }

    private void startNext() {
        if (starting) {
            return; // exchangeDone ran inside start(); the loop below picks up the next one.
        }
        starting = true;
        try {
            while (current == null) {
                HttpRequest request = waiting.poll();
                if (request == null) {
                    if (draining) {
                        ctx.close();
                        return;
                    }
                    if (!ctx.channel().isActive()) {
                        return;
                    }
                    if (decoder != null && decoder.isPaused()) {
                        decoder.resume(); // parses what was held back, into waiting
                        continue;
                    }
                    if (!ctx.channel().config().isAutoRead()) {
                        ctx.channel().config().setAutoRead(true);
                    }
                    return;
                }
                if (!ctx.channel().isActive()) {
                    waiting.clear();
                    return;
                }
                if (upgrade != null && waiting.isEmpty() && !draining && !hasBody(request)
                        && request.decoderResult().isSuccess() && H2cUpgrade.asked(request)
                        && upgrade.upgrade(ctx, request, decoder)) {
                    return; // answered on stream 1; this handler has left the pipeline
                }
                boolean keepAlive = HttpUtil.isKeepAlive(request) && !hasBody(request)
                        && !(draining && waiting.isEmpty());
                try {
                    current = new Exchange(this, ctx, site, request, keepAlive);
                } catch (IllegalStateException stopping) {
                    // The engine contexts are closed: the server is past its grace period.
                    waiting.clear();
                    ctx.close();
                    return;
                }
                current.start();
            }
        } finally {
            starting = false;
        }
    }

    private static boolean hasBody(HttpRequest request) {
        return HttpUtil.getContentLength(request, 0L) > 0 || HttpUtil.isTransferEncodingChunked(request);
    }
}
