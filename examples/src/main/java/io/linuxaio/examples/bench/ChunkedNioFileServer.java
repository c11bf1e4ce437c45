package io.linuxaio.examples.bench;

import static io.netty.handler.codec.http.HttpResponseStatus.NOT_FOUND;
import static io.netty.handler.codec.http.HttpResponseStatus.OK;
import static io.netty.handler.codec.http.HttpVersion.HTTP_1_1;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.stream.ChunkedNioFile;
import io.netty.handler.stream.ChunkedWriteHandler;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The baseline for {@code benchmarks/http-bench.sh}: Netty's usual way to serve a file, opening and
 * reading it on the event loop with {@link ChunkedNioFile}, as Netty's HttpStaticFileServer example
 * does. Only GET of plain files under the root; no ranges, no validators, no listing. Not a server
 * to use: a page-cache miss stalls every connection of the loop.
 *
 * <p>{@code java -cp static-file-server.jar io.linuxaio.examples.bench.ChunkedNioFileServer ROOT PORT [THREADS]}
 */
public final class ChunkedNioFileServer {
    private static final int CHUNK = 64 * 1024;

    private ChunkedNioFileServer() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: ChunkedNioFileServer ROOT PORT [THREADS]");
            System.exit(2);
        }
        Path root = Path.of(args[0]).toRealPath();
        int port = Integer.parseInt(args[1]);
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : Runtime.getRuntime().availableProcessors();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, EpollIoHandler.newFactory());
        try {
            Channel listener = new ServerBootstrap().group(group).channel(EpollServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8192),
                                    new ChunkedWriteHandler(), new FileHandler(root));
                        }
                    })
                    .bind("127.0.0.1", port).sync().channel();
            System.out.println("ChunkedNioFile server for " + root + " at http://127.0.0.1:" + port + "/");
            listener.closeFuture().sync();
        } finally {
            group.shutdownGracefully();
        }
    }

    private static final class FileHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final Path root;

        FileHandler(Path root) {
            this.root = root;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            String uri = request.uri();
            int query = uri.indexOf('?');
            Path file = root.resolve((query < 0 ? uri : uri.substring(0, query)).substring(1)).normalize();
            FileChannel channel;
            try {
                if (!file.startsWith(root)) {
                    throw new IOException("outside the root");
                }
                channel = FileChannel.open(file, StandardOpenOption.READ); // on the event loop, as the baseline does
                HttpResponse response = new DefaultHttpResponse(HTTP_1_1, OK);
                HttpUtil.setContentLength(response, channel.size());
                response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream");
                HttpUtil.setKeepAlive(response, keepAlive);
                ctx.write(response);
                var last = ctx.writeAndFlush(new HttpChunkedInput(new ChunkedNioFile(channel, CHUNK)));
                if (!keepAlive) {
                    last.addListener(ChannelFutureListener.CLOSE);
                }
            } catch (IOException e) {
                var response = new DefaultFullHttpResponse(HTTP_1_1, NOT_FOUND, Unpooled.EMPTY_BUFFER);
                HttpUtil.setContentLength(response, 0);
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            }
        }
    }
}
