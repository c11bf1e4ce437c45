package io.linuxaio.examples.http;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * An HTTP/2 client on Netty: one connection, h2c by prior knowledge (the connection starts with the
 * preface) or h2 over TLS; each request is a stream whose {@code :path} is sent exactly as given,
 * so a test can send targets no URI class would let through. Its own event loop thread, stopped by
 * {@link #close()}.
 */
final class H2Client implements AutoCloseable {
    private static final int MAX_BODY = 128 << 20;

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final InetSocketAddress server;
    private final boolean tls;
    final Channel connection;
    /** Completes when the server sends GOAWAY. */
    final CompletableFuture<Void> goAway = new CompletableFuture<>();

    /** Over plain TCP, starting with the preface. */
    H2Client(InetSocketAddress server) throws IOException {
        this(server, null, Http2Settings.defaultSettings());
    }

    /**
     * @param tls a client context that offers h2 by ALPN, or null for h2c by prior knowledge
     * @param settings what the client announces (its stream window, say)
     */
    H2Client(InetSocketAddress server, SslContext tls, Http2Settings settings) throws IOException {
        this.server = server;
        this.tls = tls != null;
        try {
            connection = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel channel) {
                            if (tls != null) {
                                // The certificate names localhost, which is 127.0.0.1.
                                channel.pipeline().addLast("tls", tls.newHandler(channel.alloc(), "localhost", server.getPort()));
                            }
                            channel.pipeline().addLast(Http2FrameCodecBuilder.forClient().initialSettings(settings).build(),
                                    new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()),
                                    new ChannelInboundHandlerAdapter() {
                                        @Override
                                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                            if (msg instanceof Http2GoAwayFrame) {
                                                goAway.complete(null);
                                            }
                                            ReferenceCountUtil.release(msg);
                                        }
                                    });
                        }
                    })
                    .connect(server).sync().channel();
            if (tls != null) {
                SslHandler handshake = connection.pipeline().get(SslHandler.class);
                if (!handshake.handshakeFuture().await(30, TimeUnit.SECONDS) || !handshake.handshakeFuture().isSuccess()) {
                    throw new IOException("TLS handshake failed", handshake.handshakeFuture().cause());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IOException(e);
        } catch (RuntimeException | IOException e) {
            close();
            throw e;
        }
    }

    /** The protocol TLS's ALPN chose, or null over plain TCP. */
    String alpn() {
        SslHandler handler = connection.pipeline().get(SslHandler.class);
        return handler == null ? null : handler.applicationProtocol();
    }

    /** A GET or other bodiless request; headers as name, value pairs. */
    HttpResponse<byte[]> send(String method, String path, String... headers) throws IOException {
        return request(method, path, headers).await();
    }

    /** Sends a request and returns at once; {@code stream} may set the stream's channel up first (auto-read off, say). */
    Pending request(String method, String path, String... headers) throws IOException {
        return request(method, path, stream -> { }, headers);
    }

    Pending request(String method, String path, Consumer<Http2StreamChannel> stream, String... headers) throws IOException {
        Http2Headers h2 = new DefaultHttp2Headers()
                .method(method).path(path).scheme(tls ? "https" : "http")
                .authority(server.getAddress().getHostAddress() + ":" + server.getPort());
        for (int i = 0; i < headers.length; i += 2) {
            h2.add(headers[i].toLowerCase(Locale.ROOT), headers[i + 1]);
        }
        return open(path, stream, channel -> channel.writeAndFlush(new DefaultHttp2HeadersFrame(h2, true)));
    }

    /** Opens a stream and lets {@code write} send whatever frames it likes on it. */
    Pending open(String path, Consumer<Http2StreamChannel> setUp, Consumer<Http2StreamChannel> write) throws IOException {
        CompletableFuture<HttpResponse<byte[]>> response = new CompletableFuture<>();
        URI uri = URI.create((tls ? "https" : "http") + "://127.0.0.1:" + server.getPort() + "/");
        Http2StreamChannel stream;
        try {
            stream = new Http2StreamChannelBootstrap(connection).handler(new ChannelInitializer<Http2StreamChannel>() {
                @Override
                protected void initChannel(Http2StreamChannel channel) {
                    channel.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false),
                            new HttpObjectAggregator(MAX_BODY),
                            new SimpleChannelInboundHandler<FullHttpResponse>() {
                                @Override
                                protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse full) {
                                    response.complete(copy(full, uri));
                                }

                                @Override
                                public void channelInactive(ChannelHandlerContext ctx) {
                                    response.completeExceptionally(new ClosedChannelException());
                                }

                                @Override
                                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                    response.completeExceptionally(cause);
                                    ctx.close();
                                }
                            });
                    setUp.accept(channel);
                }
            }).open().sync().getNow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        if (stream == null) {
            throw new IOException("no stream could be opened");
        }
        stream.eventLoop().execute(() -> write.accept(stream));
        return new Pending(stream, response);
    }

    /** A request sent, its response to come. */
    record Pending(Http2StreamChannel stream, CompletableFuture<HttpResponse<byte[]>> response) {
        HttpResponse<byte[]> await() throws IOException {
            try {
                return response.get(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            } catch (ExecutionException e) {
                throw new IOException("stream " + stream.stream().id() + " ended without a response", e.getCause());
            } catch (TimeoutException e) {
                throw new IOException("no response within 30 s on stream " + stream.stream().id(), e);
            }
        }
    }

    private static HttpResponse<byte[]> copy(FullHttpResponse full, URI uri) {
        Map<String, List<String>> headers = new TreeMap<>();
        for (Map.Entry<String, String> header : full.headers()) {
            String name = header.getKey().toLowerCase(Locale.ROOT);
            if (!name.startsWith("x-http2-")) { // what Netty's conversion adds, not what was sent
                headers.computeIfAbsent(name, n -> new ArrayList<>()).add(header.getValue());
            }
        }
        return new TestResponse(full.status().code(), headers, ByteBufUtil.getBytes(full.content()), uri,
                HttpClient.Version.HTTP_2);
    }

    @Override
    public void close() {
        if (connection != null) {
            connection.close().awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
