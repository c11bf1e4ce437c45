package io.linuxaio.benchmarks.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.stream.ChunkedWriteHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The peer a Netty user would write for static files: the epoll transport, {@code HttpServerCodec},
 * {@code ChunkedWriteHandler} and {@code ChunkedNioFile}, so every open, size and read runs on the
 * channel's event loop and a page-cache miss stalls every connection on that loop. It exists only as
 * the comparison point for the load benchmarks; it serves GET of regular files under a root with
 * {@code Content-Length} and keep-alive, and nothing more.
 *
 * <p>With {@code --body region} it sends each file as a {@code DefaultFileRegion} instead, the other
 * way a Netty user serves files: sendfile(2) on the event loop, which blocks it on a page-cache miss
 * just the same, and is the fastest Netty can be on cached files.
 *
 * <p>Usage: {@code java -jar benchmarks/target/http-peers.jar --root DIR [--port N] [--bind ADDR]
 * [--threads N] [--chunk-size BYTES] [--body chunked|region]}. It runs until the JVM is stopped
 * (SIGTERM or SIGINT close the listening socket and the event loops).
 */
public final class NettyChunkedFileServer implements AutoCloseable {
    /** The chunk size of Netty's own {@code HttpStaticFileServer} example. */
    static final int DEFAULT_CHUNK_SIZE = 8192;

    private final EventLoopGroup group;
    private final Channel listener;

    private NettyChunkedFileServer(EventLoopGroup group, Channel listener) {
        this.group = group;
        this.listener = listener;
    }

    /**
     * Starts serving {@code root} on {@code bind:port} (port 0 picks a free one) with {@code threads}
     * event loops, reading each file in chunks of {@code chunkSize} bytes on the loop. Returns once the
     * socket is listening; the server runs on its own event-loop threads until {@link #close()}.
     */
    public static NettyChunkedFileServer start(
            Path root, String bind, int port, int threads, int chunkSize) throws InterruptedException {
        return start(root, bind, port, threads, chunkSize, false);
    }

    /** As {@link #start(Path, String, int, int, int)}; with {@code region}, bodies go as {@code DefaultFileRegion}s. */
    public static NettyChunkedFileServer start(Path root, String bind, int port, int threads, int chunkSize,
                                               boolean region) throws InterruptedException {
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException("root is not a directory: " + root);
        }
        if (threads < 1 || chunkSize < 1 || port < 0 || port > 65535) {
            throw new IllegalArgumentException("threads and chunk size must be positive, port 0-65535");
        }
        Path canonicalRoot = root.toAbsolutePath().normalize();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, EpollIoHandler.newFactory());
        try {
            Channel listener = new ServerBootstrap()
                    .group(group)
                    .channel(EpollServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline()
                                    .addLast(new HttpServerCodec())
                                    .addLast(new HttpObjectAggregator(8192))
                                    .addLast(new ChunkedWriteHandler())
                                    .addLast(new ChunkedFileRequestHandler(canonicalRoot, chunkSize, region));
                        }
                    })
                    .bind(new InetSocketAddress(bind, port))
                    .sync()
                    .channel();
            return new NettyChunkedFileServer(group, listener);
        } catch (RuntimeException | InterruptedException | Error e) {
            group.shutdownGracefully();
            throw e;
        }
    }

    /** The port the server listens on. */
    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** Closes the listening socket and the event loops, and waits for them to stop. */
    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Parses the flags, starts the server and waits until the JVM is asked to stop. */
    public static void main(String[] args) throws InterruptedException, IOException {
        Path root = null;
        String bind = "127.0.0.1";
        int port = 8080;
        int threads = Runtime.getRuntime().availableProcessors();
        int chunkSize = DEFAULT_CHUNK_SIZE;
        boolean region = false;
        try {
            for (int i = 0; i < args.length; i++) {
                String flag = args[i];
                if (flag.equals("--help")) {
                    System.out.println(usage());
                    return;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("missing value for " + flag);
                }
                String value = args[++i];
                switch (flag) {
                    case "--root" -> root = Path.of(value);
                    case "--bind" -> bind = value;
                    case "--port" -> port = Integer.parseInt(value);
                    case "--threads" -> threads = Integer.parseInt(value);
                    case "--chunk-size" -> chunkSize = Integer.parseInt(value);
                    case "--body" -> region = switch (value) {
                        case "chunked" -> false;
                        case "region" -> true;
                        default -> throw new IllegalArgumentException("--body is chunked or region, not " + value);
                    };
                    default -> throw new IllegalArgumentException("unknown flag " + flag);
                }
            }
            if (root == null) {
                throw new IllegalArgumentException("--root is required");
            }
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(usage());
            System.exit(2);
            return;
        }
        NettyChunkedFileServer server = start(root, bind, port, threads, chunkSize, region);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "netty-chunked-file-server-stop"));
        System.out.println(
                "NettyChunkedFileServer serving " + root.toRealPath() + " on http://" + bind + ":"
                        + server.port() + "/ with " + threads + " event loops, " + (region ? "DefaultFileRegion" : "chunk " + chunkSize));
        stopped.await();
    }

    private static String usage() {
        return "usage: java -jar http-peers.jar --root DIR [--port N] [--bind ADDR] [--threads N]"
                + " [--chunk-size BYTES] [--body chunked|region]";
    }
}
