package io.linuxaio.benchmarks.netty;

import io.linuxaio.LinuxAio;
import io.linuxaio.netty.AioEventLoops;
import io.linuxaio.netty.AioFileHandler;
import io.linuxaio.netty.AioFileRegion;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.stream.ChunkedNioFile;
import io.netty.handler.stream.ChunkedWriteHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A tiny server on 127.0.0.1 that answers each byte it receives with the whole file that byte
 * names, sent one of three ways ({@link Kind}), on its own epoll group. It closes a connection that
 * names no file, whose send fails, or whose peer stops sending. Everything past {@link #start} runs
 * on the group's loops; {@link #close()} blocks until they have stopped.
 */
final class FileServer implements AutoCloseable {
    /** Chunk size for both chunked senders, so that they differ only in where the reads run. */
    static final int CHUNK_SIZE = AioFileHandler.DEFAULT_CHUNK_SIZE;

    /** How a file goes down the pipeline. */
    enum Kind {
        /** {@code AioFileHandler}: preads on the linux-aio workers into pooled direct buffers. */
        AIO_FILE_HANDLER("AioFileHandler"),
        /** {@code ChunkedWriteHandler} + {@code ChunkedNioFile}: open and reads on the event loop. */
        CHUNKED_NIO_FILE("ChunkedNioFile"),
        /** {@code DefaultFileRegion}: sendfile(2) on the event loop, no copy into user space. */
        DEFAULT_FILE_REGION("DefaultFileRegion");

        final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    private final Kind kind;
    private final EventLoopGroup group;
    private final AioEventLoops loops;
    private final Channel listener;

    private FileServer(Kind kind, EventLoopGroup group, AioEventLoops loops, Channel listener) {
        this.kind = kind;
        this.group = group;
        this.loops = loops;
        this.listener = listener;
    }

    /**
     * Starts a server of {@code kind} with {@code eventLoops} loops on a free port. {@code aio} is
     * used only by {@link Kind#AIO_FILE_HANDLER}, and must outlive the server.
     */
    static FileServer start(
            Kind kind, int eventLoops, LinuxAio aio, List<ServedFile> files)
            throws InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(eventLoops, EpollIoHandler.newFactory());
        AioEventLoops loops = null;
        try {
            AioEventLoops aioLoops = kind == Kind.AIO_FILE_HANDLER ? AioEventLoops.register(group, aio) : null;
            loops = aioLoops;
            Channel listener = new ServerBootstrap()
                    .group(group)
                    .channel(EpollServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            switch (kind) {
                                case AIO_FILE_HANDLER -> ch.pipeline().addLast(new AioFileHandler(aioLoops));
                                case CHUNKED_NIO_FILE -> ch.pipeline().addLast(new ChunkedWriteHandler());
                                case DEFAULT_FILE_REGION -> { }
                            }
                            ch.pipeline().addLast(new FileRequests(kind, files));
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", 0))
                    .sync()
                    .channel();
            return new FileServer(kind, group, loops, listener);
        } catch (RuntimeException | InterruptedException | Error e) {
            if (loops != null) {
                loops.close();
            }
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
            throw e;
        }
    }

    Kind kind() {
        return kind;
    }

    int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** Stops listening, closes the loops' contexts, then stops the loops. The engine stays open. */
    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        if (loops != null) {
            loops.close();
        }
        // No quiet period: the listener is closed and the client is done, so nothing more will come.
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Turns each request byte into a write of the file it names; one instance per channel. */
    private static final class FileRequests extends ChannelInboundHandlerAdapter {
        private final Kind kind;
        private final List<ServedFile> files;

        FileRequests(Kind kind, List<ServedFile> files) {
            this.kind = kind;
            this.files = files;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws IOException {
            ByteBuf in = (ByteBuf) msg;
            try {
                while (in.isReadable()) {
                    ServedFile file = find(in.readByte());
                    if (file == null) {
                        ctx.close();
                        return;
                    }
                    ctx.write(body(file)).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
                }
            } finally {
                in.release();
                ctx.flush();
            }
        }

        private ServedFile find(byte request) {
            for (ServedFile file : files) {
                if (file.request() == request) {
                    return file;
                }
            }
            return null;
        }

        /** The message each kind's users would write; the Netty ones open the file on this loop. */
        private Object body(ServedFile file) throws IOException {
            return switch (kind) {
                case AIO_FILE_HANDLER -> AioFileRegion.of(file.path().toString(), 0, file.size());
                case CHUNKED_NIO_FILE -> new ChunkedNioFile(FileChannel.open(file.path()), 0, file.size(), CHUNK_SIZE);
                case DEFAULT_FILE_REGION -> new DefaultFileRegion(file.path().toFile(), 0, file.size());
            };
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
