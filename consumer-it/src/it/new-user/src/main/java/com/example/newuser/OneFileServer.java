package com.example.newuser;

import static io.netty.handler.codec.http.HttpResponseStatus.INTERNAL_SERVER_ERROR;
import static io.netty.handler.codec.http.HttpResponseStatus.OK;
import static io.netty.handler.codec.http.HttpVersion.HTTP_1_1;

import io.linuxaio.LinuxAio;
import io.linuxaio.netty.AioEventLoops;
import io.linuxaio.netty.AioFileHandler;
import io.linuxaio.netty.AioFileRegion;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;

/**
 * Answers every HTTP request on 127.0.0.1 with one file, read by {@link AioFileHandler}: the
 * README's Netty example, as a user of the library writes it. {@link #close()} stops it.
 */
public final class OneFileServer implements AutoCloseable {
    private final LinuxAio aio;
    private final EventLoopGroup group;
    private final AioEventLoops loops;
    private final Channel listener;

    private OneFileServer(LinuxAio aio, EventLoopGroup group, AioEventLoops loops, Channel listener) {
        this.aio = aio;
        this.group = group;
        this.loops = loops;
        this.listener = listener;
    }

    /** Starts serving {@code path} on a free port of 127.0.0.1. */
    public static OneFileServer start(String path) throws InterruptedException {
        LinuxAio aio = new LinuxAio();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        AioEventLoops loops = AioEventLoops.register(group, aio);
        try {
            Channel listener = new ServerBootstrap()
                    .group(group)
                    .channel(EpollServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8192),
                                    new AioFileHandler(loops), new SendFile(loops, path));
                        }
                    })
                    .bind("127.0.0.1", 0)
                    .sync()
                    .channel();
            return new OneFileServer(aio, group, loops, listener);
        } catch (RuntimeException | InterruptedException e) {
            stop(aio, group, loops);
            throw e;
        }
    }

    /** The port it listens on. */
    public int port() {
        return ((java.net.InetSocketAddress) listener.localAddress()).getPort();
    }

    /** GETs http://127.0.0.1:port/ and returns the body; a status other than 200 throws. */
    public static byte[] fetch(int port) throws IOException {
        HttpURLConnection connection =
                (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/").toURL().openConnection();
        connection.setConnectTimeout(10_000);
        connection.setReadTimeout(10_000);
        try {
            int status = connection.getResponseCode();
            if (status != 200) {
                throw new IOException("HTTP " + status);
            }
            try (InputStream in = connection.getInputStream()) {
                return in.readAllBytes();
            }
        } finally {
            connection.disconnect();
        }
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        stop(aio, group, loops);
    }

    // The binding first, then the loops, then the engine, as the README says.
    private static void stop(LinuxAio aio, EventLoopGroup group, AioEventLoops loops) {
        loops.close();
        group.shutdownGracefully().syncUninterruptibly();
        aio.close();
    }

    /** Stats the file through the engine, then writes the head, the file and the end. */
    private static final class SendFile extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final AioEventLoops loops;
        private final String path;

        SendFile(AioEventLoops loops, String path) {
            this.loops = loops;
            this.path = path;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            loops.forChannel(ctx.channel()).stat(path, (st, err) -> {
                if (err != null) {
                    FullHttpResponse failed = new DefaultFullHttpResponse(HTTP_1_1, INTERNAL_SERVER_ERROR);
                    HttpUtil.setContentLength(failed, 0);
                    ctx.writeAndFlush(failed).addListener(ChannelFutureListener.CLOSE);
                    return;
                }
                HttpResponse head = new DefaultHttpResponse(HTTP_1_1, OK);
                HttpUtil.setContentLength(head, st.size());
                ctx.write(head);
                ctx.write(AioFileRegion.of(path, 0, st.size()));
                ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
            });
        }
    }
}
