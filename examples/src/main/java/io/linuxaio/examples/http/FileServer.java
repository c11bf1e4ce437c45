package io.linuxaio.examples.http;

import io.linuxaio.AioContext;
import io.linuxaio.AioException;
import io.linuxaio.AioFile;
import io.linuxaio.AioRequest;
import io.linuxaio.Fcntl;
import io.linuxaio.InlineStats;
import io.linuxaio.LinuxAio;
import io.linuxaio.netty.AioEventLoops;
import io.linuxaio.netty.AioFileHandler;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.unix.UnixChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A static file HTTP/1.1 and HTTP/2 server on Netty's epoll transport whose every file system call (open,
 * stat, read, readdir, close) runs on the linux-aio worker pool, so its event loops never wait on a
 * disk.
 *
 * <p>It serves GET and HEAD under one root with keep-alive and pipelining, byte ranges, conditional
 * requests, precompressed siblings ({@code .br}, {@code .gz}), directory listings and, with an
 * {@link SslContext}, HTTPS through the same read path. HTTP/2 comes over TLS by ALPN, and in clear
 * text by prior knowledge or by upgrade; each stream's file is read by its own
 * {@link AioFileHandler}, paced by the stream's flow-control window.
 * Nothing outside the root can be reached, symbolic links included: the root is held open, and each
 * file is opened beneath it with {@code openat2(RESOLVE_BENEATH)}, which refuses every way out and
 * brings the file's stat in the same trip through the pool. On a kernel without openat2 (before
 * 5.6, or a container whose seccomp profile refuses it) the server says so once on standard error
 * and checks each opened file's canonical path instead, at two more trips per file.
 *
 * <p>{@link Builder#start()} returns once the server listens. {@link #close()} may be called from
 * any thread except an event loop of this server; it stops accepting, lets every connection finish
 * the requests it has received, then stops the loops and the engine. The engine does not close
 * itself at JVM exit: call {@code close()} from a shutdown hook to finish responses on SIGTERM.
 */
public final class FileServer implements AutoCloseable {
    private final Path root;
    private final LinuxAio aio;
    private final Site site;
    private final EventLoopGroup group;
    private final AioEventLoops loops;
    private final AccessLog accessLog;
    private final ChannelGroup connections;
    private final Channel listener;
    private final boolean tls;
    private final AtomicBoolean stopping;
    private final AcceptLimiter limiter;
    private final MetricsEndpoint metrics;
    /** Each event loop's engine context, in the group's order; still readable once closed. */
    private final List<AioContext> loopContexts;
    private boolean closed; // guarded by this

    private FileServer(Path root, LinuxAio aio, Site site, EventLoopGroup group, AioEventLoops loops,
                       AccessLog accessLog, ChannelGroup connections, Channel listener, boolean tls,
                       AtomicBoolean stopping, AcceptLimiter limiter, MetricsEndpoint metrics,
                       List<AioContext> loopContexts) {
        this.root = root;
        this.aio = aio;
        this.site = site;
        this.group = group;
        this.loops = loops;
        this.accessLog = accessLog;
        this.connections = connections;
        this.listener = listener;
        this.tls = tls;
        this.stopping = stopping;
        this.limiter = limiter;
        this.metrics = metrics;
        this.loopContexts = loopContexts;
    }

    /**
     * The ALPN setting for a server {@link SslContext} that offers HTTP/2 ({@code h2}) first, then
     * HTTP/1.1: {@code SslContextBuilder.forServer(...).applicationProtocolConfig(FileServer.ALPN)}.
     */
    public static final ApplicationProtocolConfig ALPN = new ApplicationProtocolConfig(
            ApplicationProtocolConfig.Protocol.ALPN,
            // The two behaviours the JDK's TLS provider supports.
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1);

    /**
     * Returns a header value if it holds only visible ASCII and spaces, so it can neither end its
     * header nor start another, and is sent as it reads.
     *
     * @throws IllegalArgumentException if it holds anything else, or nothing
     */
    public static String checkHeaderValue(String value) {
        if (value.isEmpty() || !value.chars().allMatch(c -> c == ' ' || c > ' ' && c < 0x7f)) {
            throw new IllegalArgumentException(value.isEmpty() ? "needs a value" : "may hold only visible ASCII and spaces");
        }
        return value;
    }

    /** A builder for a server of the files under {@code root}. */
    public static Builder builder(Path root) {
        return new Builder(root);
    }

    /**
     * What is reserved, of the open-file limit, for the server itself rather than its connections:
     * the JVM's own files and jars, each event loop's epoll, eventfd and timerfd, each engine
     * context's eventfd, the listening socket, the root, the log.
     */
    public static final int RESERVED_DESCRIPTORS = 128;

    /**
     * The default for {@link Builder#maxConnections}: half of what this process's open-file limit
     * leaves after {@link #RESERVED_DESCRIPTORS}, so each connection may have its socket and the
     * file it is sending open at once (a listing's directory and its index.html overlap only
     * briefly, and an open that finds no descriptor is answered 503). With the common limits of
     * 1024 and 1048576 that is 448 and 524224 connections.
     */
    public static int defaultMaxConnections() {
        long limit = OpenFiles.soft();
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (limit - RESERVED_DESCRIPTORS) / 2));
    }

    /**
     * Raises this process's soft limit on open descriptors to its hard limit, as nginx's
     * {@code worker_rlimit_nofile} lets one (HotSpot does it at start too, unless
     * {@code -XX:-MaxFDLimit}), and returns the limit now in force. Call it before
     * {@link #defaultMaxConnections()}. A limit that cannot be raised is left as it is.
     */
    public static long raiseOpenFileLimit() {
        return OpenFiles.raiseSoftToHard();
    }

    /** The canonical root being served. */
    public Path root() {
        return root;
    }

    /** The address the server listens on; its port is the real one when port 0 was asked. */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) listener.localAddress();
    }

    /** The URL of the root, such as {@code http://127.0.0.1:8080/}. */
    public URI uri() {
        InetSocketAddress address = localAddress();
        String host = address.getAddress().getHostAddress();
        if (host.indexOf(':') >= 0) {
            host = "[" + host + "]";
        }
        return URI.create((tls ? "https" : "http") + "://" + host + ":" + address.getPort() + "/");
    }

    /** The URL of the Prometheus metrics, or null when the builder asked for none. */
    public URI metricsUri() {
        return metrics == null ? null : metrics.uri();
    }

    /**
     * One line of what the server has done and how its engine is, for an operator's log: the
     * connections open, the responses by status class and the body bytes sent, the engine's
     * requests outstanding, ready and pending over all its contexts ({@code nreqs}, {@code nready},
     * {@code npending}), its workers ({@code nthreads}), and what was tried first on the event
     * loops ({@link InlineStats}). Safe from any thread, and after {@link #close()}.
     */
    public String statusLine() {
        ServerCounters counters = site.counters();
        long responses = 0;
        StringBuilder byClass = new StringBuilder();
        for (int c = 1; c <= 5; c++) {
            responses += counters.responses(c);
            byClass.append(c == 1 ? "" : " ").append(c).append("xx=").append(counters.responses(c));
        }
        int nreqs = aio.nreqs();
        int npending = aio.npending();
        for (AioContext context : loopContexts) {
            nreqs += context.nreqs();
            npending += context.npending();
        }
        InlineStats inline = aio.inlineStats();
        return "connections=" + connections.size() + " responses=" + responses + " (" + byClass + ") sent="
                + counters.bodyBytes() + " bytes; engine: nreqs=" + nreqs + " nready=" + aio.nready()
                + " npending=" + npending + " nthreads=" + aio.nthreads() + "; inline: reads=" + inline.reads()
                + " readsBatched=" + inline.readsBatched() + " readsToPool=" + inline.readsToPool()
                + " opens=" + inline.opens() + " opensBatched=" + inline.opensBatched() + " opensToPool="
                + inline.opensToPool() + " stats=" + inline.stats()
                + " closes=" + inline.closes() + " sendfiles="
                + inline.sendfiles() + " sendfilesNotCached=" + inline.sendfilesNotCached() + " refused="
                + inline.refused() + " slow=" + inline.slow();
    }

    /** Whether the kernel checks containment as it opens (openat2), rather than realpath afterwards. */
    boolean usesOpenat2() {
        return site.openat2();
    }

    /** The engine every file system call goes through (for tests that need to hold its workers). */
    LinuxAio engine() {
        return aio;
    }

    /** Counters and fault switches for tests. */
    Probes probes() {
        return site.probes();
    }

    /** Connections open now. */
    int connections() {
        return connections.size();
    }

    /** Connections admitted and not yet closed, as the connection cap counts them. */
    int admitted() {
        return limiter.open();
    }

    /** The event loops (for tests that need to reach one). */
    EventLoopGroup group() {
        return group;
    }

    /** The loop the listening socket is registered with. */
    EventLoop listenerLoop() {
        return listener.eventLoop();
    }

    /** Bytes written by the server and not yet taken by the sockets, summed over connections. */
    long pendingOutboundBytes() {
        long total = 0;
        for (Channel channel : connections) {
            var buffer = channel.unsafe().outboundBuffer();
            if (buffer != null) {
                total += buffer.totalPendingWriteBytes();
            }
        }
        return total;
    }

    /** {@link #close(Duration)} with 30 seconds for the responses in flight. */
    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }

    /**
     * Stops accepting, asks every connection to finish the requests it has received and close,
     * waits up to {@code grace} for that, closes whatever is left, then stops the event loops and
     * the engine and flushes the access log. Calling it again does nothing.
     */
    public synchronized void close(Duration grace) {
        if (closed) {
            return;
        }
        closed = true;
        boolean interrupted = false;
        try {
            stopping.set(true); // a connection still being set up drains itself (see initializer)
            close(listener);
            if (metrics != null) {
                close(metrics.listener());
            }
            for (Channel channel : connections) {
                try {
                    channel.eventLoop().execute(() -> channel.pipeline().fireUserEventTriggered(FileRequestHandler.DRAIN));
                } catch (RejectedExecutionException loopGone) {
                    close(channel); // its loop died: nothing will ever finish there
                }
            }
            long deadline = System.nanoTime() + grace.toNanos();
            // The group forgets closed channels; a snapshot's future could miss a late arrival.
            // A channel whose loop died can finish nothing: it is not waited for.
            while (connections.stream().anyMatch(FileServer::loopAlive) && !interrupted) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                try {
                    connections.newCloseFuture(FileServer::loopAlive).await(TimeUnit.NANOSECONDS.toMillis(left) + 1);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            for (Channel channel : connections) {
                close(channel);
            }
            loops.close();
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        } finally {
            try {
                aio.close(site.rootDir(), null); // drained by the engine's close just below
            } catch (IllegalStateException alreadyClosing) {
                // closed by a start that failed halfway, or by an earlier close that threw
            }
            aio.close();
            if (accessLog != null) {
                accessLog.close();
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean loopAlive(Channel channel) {
        return !channel.eventLoop().isShuttingDown();
    }

    /**
     * Closes a channel and waits a little for it; a channel whose loop has died (an Error escaped
     * it) can be closed only by its descriptor, from here, as nothing runs on that loop any more.
     */
    private static void close(Channel channel) {
        if (loopAlive(channel) && channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS)) {
            return;
        }
        if (!channel.eventLoop().isTerminated() && loopAlive(channel)) {
            return; // alive but slow: it closes by itself
        }
        if (channel instanceof UnixChannel unix && unix.fd().isOpen()) {
            try {
                unix.fd().close();
            } catch (IOException e) {
                // Already gone.
            }
        }
    }

    /** Settings for a {@link FileServer}; every one has a default but the root. */
    public static final class Builder {
        private final Path root;
        private String bind = "127.0.0.1";
        private int port = 8080;
        private int threads = Runtime.getRuntime().availableProcessors();
        private int aioThreads = LinuxAio.DEFAULT_MAX_PARALLEL;
        private SslContext ssl;
        private Consumer<String> accessLog;
        private AccessLogFormat accessLogFormat = AccessLogFormat.COMMON;
        private Duration idleTimeout = Duration.ofSeconds(30);
        private int maxRequestLine = 8192;
        private int maxHeaderSize = 16384;
        private int chunkSize = AioFileHandler.DEFAULT_CHUNK_SIZE;
        private int chunksInFlight = AioFileHandler.DEFAULT_CHUNKS_IN_FLIGHT;
        private boolean openat2 = true;
        private int maxConnections = defaultMaxConnections();
        private String cacheControl;
        private String metricsBind;
        private int metricsPort;

        private Builder(Path root) {
            this.root = Objects.requireNonNull(root, "root");
        }

        /** The address to listen on, a literal or a host name (default 127.0.0.1). */
        public Builder bind(String address) {
            this.bind = Objects.requireNonNull(address, "address");
            return this;
        }

        /** The TCP port, 0 for any free one (default 8080). */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            this.port = port;
            return this;
        }

        /** Event loop threads (default: one per processor). */
        public Builder threads(int threads) {
            this.threads = positive("threads", threads);
            return this;
        }

        /** The most linux-aio worker threads (default {@value LinuxAio#DEFAULT_MAX_PARALLEL}). */
        public Builder aioThreads(int aioThreads) {
            this.aioThreads = positive("aioThreads", aioThreads);
            return this;
        }

        /**
         * Serve HTTPS with this context; null (the default) serves plain HTTP, and HTTP/2 to a
         * client that starts with its preface (prior knowledge) or asks to upgrade to h2c. Over
         * TLS, HTTP/2 needs a context that offers it by ALPN ({@link FileServer#ALPN}); a client
         * that chooses HTTP/1.1, or nothing, gets HTTP/1.1. A context that
         * enables TLS 1.2 lets clients renegotiate, each time at milliseconds of server CPU, unless
         * {@code jdk.tls.rejectClientInitiatedRenegotiation} is true before the first handshake (the
         * command line sets it, and enables TLS 1.3 alone unless asked).
         */
        public Builder tls(SslContext context) {
            if (context != null && !context.isServer()) {
                throw new IllegalArgumentException("not a server SslContext");
            }
            this.ssl = context;
            return this;
        }

        /**
         * The {@code Cache-Control} value sent with every file's response (200, 206 and 304), such
         * as {@code "public, max-age=3600"}; never with a listing (always {@code no-cache}) or an
         * error. Null (the default) sends none.
         *
         * @throws IllegalArgumentException if the value holds anything but visible ASCII and spaces
         */
        public Builder cacheControl(String value) {
            this.cacheControl = value == null ? null : checkHeaderValue(value);
            return this;
        }

        /**
         * Where access log lines go, one call per response, on a thread of the server's own (never
         * an event loop); null (the default) keeps no log.
         */
        public Builder accessLog(Consumer<String> sink) {
            this.accessLog = sink;
            return this;
        }

        /** The access log's line format (default {@link AccessLogFormat#COMMON}). */
        public Builder accessLogFormat(AccessLogFormat format) {
            this.accessLogFormat = Objects.requireNonNull(format, "format");
            return this;
        }

        /**
         * The most connections open at once; one more is accepted and closed at once (default
         * {@link #defaultMaxConnections()}, from this process's open-file limit when the builder
         * was made).
         */
        public Builder maxConnections(int connections) {
            this.maxConnections = positive("maxConnections", connections);
            return this;
        }

        /**
         * Also serve Prometheus metrics at {@code /metrics} on {@code address} and {@code port} (0
         * for any free one), a listener apart from the files' (see {@link #metricsUri()}); none by
         * default. An address other than loopback shows the server's state to whoever can reach it.
         */
        public Builder metrics(String address, int port) {
            Objects.requireNonNull(address, "address");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("metrics port out of range: " + port);
            }
            this.metricsBind = address;
            this.metricsPort = port;
            return this;
        }

        /** How long a connection may go without reading or writing a byte before it is closed (default 30 s). */
        public Builder idleTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("idleTimeout must be positive: " + timeout);
            }
            this.idleTimeout = timeout;
            return this;
        }

        /** The longest request line accepted; longer ones get 414 (default 8192). */
        public Builder maxRequestLine(int bytes) {
            this.maxRequestLine = positive("maxRequestLine", bytes);
            return this;
        }

        /** The most header bytes accepted; more get 431 (default 16384). */
        public Builder maxHeaderSize(int bytes) {
            this.maxHeaderSize = positive("maxHeaderSize", bytes);
            return this;
        }

        /**
         * File bytes read per engine request, and how many such chunks one connection may hold,
         * read or waiting for the socket (default {@link AioFileHandler}'s 64 KiB and 4).
         */
        public Builder chunks(int chunkSize, int chunksInFlight) {
            this.chunkSize = positive("chunkSize", chunkSize);
            this.chunksInFlight = positive("chunksInFlight", chunksInFlight);
            return this;
        }

        /**
         * Whether to use openat2 where the kernel has it (the default); tests turn it off to run
         * the realpath check a kernel without it gets.
         */
        Builder openat2(boolean use) {
            this.openat2 = use;
            return this;
        }

        /**
         * Makes the root canonical, checks it is a readable directory, starts the engine, opens the
         * root through it, starts the event loops and binds. Blocks until the server listens.
         *
         * @throws IOException if the root cannot be served or the address cannot be bound
         */
        public FileServer start() throws IOException, InterruptedException {
            LoggingWarmUp.run(); // the first log line must not need a descriptor: it may come at EMFILE
            Path canonical = root.toRealPath();
            if (!Files.isDirectory(canonical)) {
                throw new IOException("the root is not a directory: " + root);
            }
            if (!Files.isReadable(canonical) || !Files.isExecutable(canonical)) {
                throw new IOException("the root cannot be read: " + root);
            }
            InetSocketAddress address = ListenAddress.resolve(bind, port);
            InetSocketAddress metricsAddress = metricsBind == null ? null : ListenAddress.resolve(metricsBind, metricsPort);
            LinuxAio aio = new LinuxAio();
            // close() drains the engine after the responses in flight; left to its own exit hook,
            // the engine would refuse their reads as soon as the JVM begins to exit.
            aio.drainAtExit(false);
            AioFile rootDir = null;
            EventLoopGroup group = null;
            AioEventLoops loops = null;
            AccessLog log = null;
            Channel listener = null;
            try {
                aio.maxParallel(aioThreads);
                boolean beneath = openat2;
                String rootPath = canonical.toString();
                if (beneath) {
                    try {
                        rootDir = await(aio, aio.openat(null, rootPath, ROOT_FLAGS, 0, 0, null));
                    } catch (AioException e) {
                        if (!openat2Missing(e)) {
                            throw e;
                        }
                        System.err.println("file server: openat2 is not available here (" + e.errnoName()
                                + "); checking each opened file's realpath instead");
                        beneath = false;
                    }
                }
                if (rootDir == null) {
                    rootDir = await(aio, aio.open(rootPath, ROOT_FLAGS, 0, null));
                }
                group = new MultiThreadIoEventLoopGroup(threads, EpollIoHandler.newFactory());
                loops = AioEventLoops.register(group, aio);
                log = accessLog == null ? null : new AccessLog(accessLog, accessLogFormat);
                Site site = new Site(rootPath, rootDir, beneath, loops, log, new Probes(), new ServerCounters(), cacheControl);
                ChannelGroup connections = new DefaultChannelGroup("connections", GlobalEventExecutor.INSTANCE);
                AtomicBoolean stopping = new AtomicBoolean();
                AcceptLimiter limiter = new AcceptLimiter(maxConnections, System.err::println);
                ServerBootstrap bootstrap = new ServerBootstrap()
                        .group(group)
                        .channel(EpollServerSocketChannel.class)
                        .option(ChannelOption.SO_BACKLOG, 1024)
                        .handler(limiter)
                        .childHandler(initializer(site, connections, loops, stopping));
                listener = ListenAddress.bind(bootstrap, address);
                List<AioContext> loopContexts = new ArrayList<>();
                for (EventExecutor loop : group) {
                    loopContexts.add(loops.forLoop((EventLoop) loop));
                }
                MetricsEndpoint metrics = metricsAddress == null ? null
                        : MetricsEndpoint.start(group, metricsAddress, aio, loopContexts, site.counters(), connections::size);
                return new FileServer(canonical, aio, site, group, loops, log, connections, listener, ssl != null, stopping,
                        limiter, metrics, List.copyOf(loopContexts));
            } catch (Throwable e) {
                if (listener != null) {
                    // Closed here, not left to the group's shutdown, which with no quiet period can
                    // end a loop before it closes its channels: the port must be free on return.
                    listener.close().awaitUninterruptibly();
                }
                if (loops != null) {
                    loops.close();
                }
                if (group != null) {
                    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
                }
                if (rootDir != null) {
                    aio.close(rootDir, null);
                }
                aio.close();
                if (log != null) {
                    log.close();
                }
                throw e;
            }
        }

        /** The root is only ever a directory to open files beneath; O_PATH needs no read permission. */
        private static final int ROOT_FLAGS = Fcntl.O_PATH | Fcntl.O_DIRECTORY;

        /** ENOSYS: a kernel before 5.6. EPERM: a seccomp filter that predates openat2 (Docker before 20.10). */
        private static boolean openat2Missing(AioException e) {
            return e.errnoName().equals("ENOSYS") || e.errnoName().equals("EPERM");
        }

        /** Start-up is no event loop: it may wait, polling the engine's default context itself. */
        private static <T> T await(LinuxAio aio, AioRequest<T> request) throws IOException, InterruptedException {
            CompletableFuture<T> result = request.future();
            while (!result.isDone()) {
                aio.pollWait();
                aio.pollCb();
            }
            try {
                return result.get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof IOException io) {
                    throw io;
                }
                throw new IOException(e.getCause());
            }
        }

        private ChannelInitializer<Channel> initializer(Site site, ChannelGroup connections, AioEventLoops loops,
                                                        AtomicBoolean stopping) {
            SslContext sslContext = ssl;
            HttpDecoderConfig decoder = new HttpDecoderConfig()
                    .setMaxInitialLineLength(maxRequestLine)
                    .setMaxHeaderSize(maxHeaderSize);
            long idleMillis = idleTimeout.toMillis();
            Pipelines pipelines = new Pipelines(site, loops, decoder, maxHeaderSize, chunkSize, chunksInFlight,
                    sslContext == null);
            return new ChannelInitializer<>() {
                @Override
                protected void initChannel(Channel channel) {
                    connections.add(channel);
                    ChannelPipeline pipeline = channel.pipeline();
                    if (sslContext != null) {
                        pipeline.addLast("tls", sslContext.newHandler(channel.alloc()));
                    }
                    pipeline.addLast("idle", new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS));
                    // The protocol's handlers follow once it is known: from ALPN after the
                    // handshake, or from the first bytes of a plain connection.
                    pipeline.addLast("protocol", sslContext != null ? new AlpnHandler(pipelines) : new ProtocolDetector(pipelines));
                    if (stopping.get()) {
                        // Accepted just before the listener closed, after close() told the others.
                        channel.eventLoop().execute(() -> pipeline.fireUserEventTriggered(FileRequestHandler.DRAIN));
                    }
                }
            };
        }

        private static int positive(String name, int value) {
            if (value <= 0) {
                throw new IllegalArgumentException(name + " must be positive: " + value);
            }
            return value;
        }
    }
}
