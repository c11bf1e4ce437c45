package io.linuxaio.netty;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linuxaio.InlineStats;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.epoll.EpollSocketChannelConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link AioFileHandler#sendfileWhenCached}: a region goes out with sendfile straight from the page
 * cache while mincore finds its pages there, and through reads by the engine from the first range
 * that is not; every byte arrives, in order, whichever way it went.
 */
class SendfileWhenCachedTest {
    private static final int MiB = 1 << 20;

    @TempDir
    Path dir;

    /** Serves one file to each connection, through a handler that may sendfile regions of any size. */
    private static final class SendfileServer {
        final InetSocketAddress address;
        /** The first peer's write promise. */
        final CompletableFuture<Void> sent = new CompletableFuture<>();

        SendfileServer(Rig rig, Path file) {
            AioFileRegion region = AioFileRegion.of(file.toString(), 0, AioFileRegion.TO_END);
            address = rig.serve(p -> p.addLast(new AioFileHandler(rig.loops).sendfileWhenCached(1),
                    new OnActive(ctx -> ctx.writeAndFlush(region).addListener((ChannelFuture f) -> {
                        if (f.isSuccess()) {
                            sent.complete(null);
                        } else {
                            sent.completeExceptionally(f.cause());
                        }
                        f.channel().close();
                    }))));
        }

        Socket connect() throws IOException {
            return new Socket(address.getAddress(), address.getPort());
        }

        /** Reads {@code in} to its end: every byte of {@code file}, in order, and the write promise succeeded. */
        void assertArrivesWhole(Path file, long size, InputStream in) throws Exception {
            Received received = Received.drain(in);
            sent.get(60, TimeUnit.SECONDS);
            assertEquals(size, received.bytes());
            assertArrayEquals(Fixtures.sha256(file), received.sha256());
        }
    }

    @Test
    void aCachedFileGoesOutWithSendfileAndIsReadIntoNoBuffer() throws Exception {
        long size = 8L * MiB;
        Path file = Fixtures.cachedRandomFile(dir, "cached", size, 3);
        try (Rig rig = new Rig(2)) {
            SendfileServer server = new SendfileServer(rig, file);
            try (Socket socket = server.connect()) {
                server.assertArrivesWhole(file, size, socket.getInputStream());
            }
            InlineStats stats = rig.aio.inlineStats();
            assertTrue(stats.sendfiles() >= size / RegionTransfer.CACHED_CHUNK_BYTES, stats.toString());
            assertEquals(0, stats.sendfilesNotCached(), stats.toString());
            assertEquals(0, stats.reads() + stats.readsToPool(), "not a byte read into a buffer: " + stats);
        }
    }

    @Test
    void aPeerThatReadsSlowlyGetsEveryByteInOrderOverManySendfiles() throws Exception {
        long size = 16L * MiB;
        Path file = Fixtures.cachedRandomFile(dir, "slow-peer", size, 4);
        try (Rig rig = new Rig(2)) {
            SendfileServer server = new SendfileServer(rig, file);
            try (Socket socket = new Socket()) {
                socket.setReceiveBufferSize(16 * 1024); // the server's socket fills, and sendfile meets EAGAIN
                socket.connect(server.address);
                server.assertArrivesWhole(file, size, new SmallReads(socket.getInputStream()));
            }
            InlineStats stats = rig.aio.inlineStats();
            assertTrue(stats.sendfiles() > size / RegionTransfer.CACHED_CHUNK_BYTES,
                    "more tries than chunks: some found the socket full: " + stats);
            assertEquals(0, stats.reads() + stats.readsToPool(), stats.toString());
        }
    }

    @Test
    void fromTheFirstRangeNotCachedTheRestIsReadByTheEngine(@TempDir(factory = Fixtures.OnDisk.class) Path disk) throws Exception {
        long size = 16L * MiB;
        Path file = Fixtures.cachedRandomFile(disk, "tail-evicted", size, 5);
        Fixtures.evict(file, 8L * MiB);
        try (Rig rig = new Rig(2)) {
            SendfileServer server = new SendfileServer(rig, file);
            try (Socket socket = server.connect()) {
                server.assertArrivesWhole(file, size, socket.getInputStream());
            }
            InlineStats stats = rig.aio.inlineStats();
            assertTrue(stats.sendfiles() >= 8L * MiB / RegionTransfer.CACHED_CHUNK_BYTES, "the cached head: " + stats);
            assertEquals(1, stats.sendfilesNotCached(), "one range found not cached, then reads: " + stats);
            assertTrue(stats.readsToPool() >= 1, "the evicted tail needed the workers: " + stats);
        }
    }

    @Test
    void aPeerThatResetsMidFileFailsTheWriteAndTheServerGoesOn() throws Exception {
        long size = 64L * MiB;
        Path file = Fixtures.cachedRandomFile(dir, "reset", size, 6);
        try (Rig rig = new Rig(2)) {
            SendfileServer server = new SendfileServer(rig, file);
            try (Socket socket = new Socket()) {
                socket.setReceiveBufferSize(16 * 1024);
                socket.connect(server.address);
                assertEquals(1024, socket.getInputStream().readNBytes(1024).length);
                socket.setSoLinger(true, 0); // close with RST: the server's next sendfile fails
            }
            ExecutionException failed = assertThrows(ExecutionException.class, () -> server.sent.get(60, TimeUnit.SECONDS));
            assertTrue(failed.getCause() instanceof IOException, failed.getCause().toString());
            // The loops and the engine still serve: a second peer gets the whole file.
            SendfileServer again = new SendfileServer(rig, file);
            try (Socket socket = again.connect()) {
                again.assertArrivesWhole(file, size, socket.getInputStream());
            }
        }
    }

    @Test
    void theHeadAndTheFirstSendfileLeaveCorkedAndTheSocketIsUncorkedAfter() throws Exception {
        long size = 3L * MiB;
        Path file = Fixtures.cachedRandomFile(dir, "corked", size, 7);
        try (Rig rig = new Rig(2)) {
            ShapedServer server = new ShapedServer(rig, file, config -> { });
            server.assertArrivesWhole(file, size);
            List<Options> written = server.asWritten();
            assertFalse(written.get(0).corked(), "the head queued before the cork: " + written);
            assertTrue(written.get(1).corked() && written.get(1).sendfile(), "the first sendfile written corked: " + written);
            assertEquals(new Options(false, 0, false), server.atTheEnd.get(60, TimeUnit.SECONDS),
                    "nothing left corked or limited for the next response");
        }
    }

    @Test
    void aFirstTryThatFindsTheFileNotCachedUncorksBeforeTheEngineReads(@TempDir(factory = Fixtures.OnDisk.class) Path disk) throws Exception {
        long size = 4L * MiB;
        Path file = Fixtures.cachedRandomFile(disk, "evicted", size, 8);
        Fixtures.evict(file, 0);
        try (Rig rig = new Rig(2)) {
            ShapedServer server = new ShapedServer(rig, file, config -> { });
            server.assertArrivesWhole(file, size);
            assertFalse(server.atTheEnd.get(60, TimeUnit.SECONDS).corked(), "uncorked once the try found nothing cached");
            assertEquals(1, rig.aio.inlineStats().sendfilesNotCached(), rig.aio.inlineStats().toString());
        }
    }

    @Test
    void sendsAfterTheFirstLimitTheUnsentBytesAndTheOwnersLooserLimitComesBackAfter() throws Exception {
        long size = 12L * MiB;
        Path file = Fixtures.cachedRandomFile(dir, "limited", size, 9);
        long owners = 4L * MiB;
        try (Rig rig = new Rig(2)) {
            ShapedServer server = new ShapedServer(rig, file, config -> config.setTcpNotSentLowAt(owners));
            server.assertArrivesWhole(file, size);
            List<Long> limits = server.asWritten().stream().filter(Options::sendfile).map(Options::unsentLimit).toList();
            assertTrue(limits.size() >= size / RegionTransfer.CACHED_CHUNK_BYTES, "several sends: " + limits);
            assertEquals(owners, limits.get(0), "the first send as the owner set it: " + limits);
            assertEquals(List.of((long) SendfileSocket.UNSENT_LIMIT), limits.subList(1, limits.size()).stream().distinct().toList(),
                    "every later send limited: " + limits);
            assertEquals(owners, server.atTheEnd.get(60, TimeUnit.SECONDS).unsentLimit(), "the owner's limit back");
        }
    }

    @Test
    void anOwnersTighterLimitOnUnsentBytesIsLeftAsItIs() throws Exception {
        long size = 8L * MiB;
        Path file = Fixtures.cachedRandomFile(dir, "tight", size, 10);
        long owners = 16 * 1024;
        try (Rig rig = new Rig(2)) {
            ShapedServer server = new ShapedServer(rig, file, config -> config.setTcpNotSentLowAt(owners));
            server.assertArrivesWhole(file, size);
            List<Long> limits = server.asWritten().stream().filter(Options::sendfile).map(Options::unsentLimit).distinct().toList();
            assertEquals(List.of(owners), limits);
            assertEquals(owners, server.atTheEnd.get(60, TimeUnit.SECONDS).unsentLimit());
        }
    }

    @Test
    void aSocketItsOwnerCorkedStaysCorked() throws Exception {
        long size = 3L * MiB;
        Path file = Fixtures.cachedRandomFile(dir, "owners-cork", size, 11);
        try (Rig rig = new Rig(2)) {
            ShapedServer server = new ShapedServer(rig, file, config -> config.setTcpCork(true));
            server.assertArrivesWhole(file, size);
            assertTrue(server.atTheEnd.get(60, TimeUnit.SECONDS).corked(), "the owner's cork, for the owner to pull");
        }
    }

    /** The socket options that shape a sendfile's segments, as one message went down to the transport. */
    private record Options(boolean corked, long unsentLimit, boolean sendfile) {
        static Options of(Object msg, io.netty.channel.Channel channel) {
            EpollSocketChannelConfig config = ((EpollSocketChannel) channel).config();
            return new Options(config.isTcpCork(), config.getTcpNotSentLowAt(), msg instanceof CachedFileChunk);
        }
    }

    /**
     * Writes a head, then a file as a region, as an HTTP response does, on a socket its
     * {@code owner} configured first, and records the socket's options as each message went down
     * to the transport, and once the region's promise completed.
     */
    private static final class ShapedServer {
        static final byte[] HEAD = "HEAD OF THE RESPONSE\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        final InetSocketAddress address;
        private final Queue<Options> asWritten = new ConcurrentLinkedQueue<>();
        final CompletableFuture<Options> atTheEnd = new CompletableFuture<>();

        ShapedServer(Rig rig, Path file, Consumer<EpollSocketChannelConfig> owner) {
            AioFileRegion region = AioFileRegion.of(file.toString(), 0, AioFileRegion.TO_END);
            address = rig.serve(p -> {
                owner.accept(((EpollSocketChannel) p.channel()).config());
                p.addLast(new ChannelOutboundHandlerAdapter() {
                    @Override
                    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                        asWritten.add(Options.of(msg, ctx.channel()));
                        ctx.write(msg, promise);
                    }
                }, new AioFileHandler(rig.loops).sendfileWhenCached(1), new OnActive(ctx -> {
                    ctx.write(Unpooled.wrappedBuffer(HEAD));
                    ctx.writeAndFlush(region).addListener((ChannelFuture f) -> {
                        atTheEnd.complete(Options.of(region, f.channel()));
                        f.channel().close();
                    });
                }));
            });
        }

        /** Reads the head, then every byte of {@code file}, in order, to the end. */
        void assertArrivesWhole(Path file, long size) throws Exception {
            try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
                InputStream in = socket.getInputStream();
                assertArrayEquals(HEAD, in.readNBytes(HEAD.length));
                Received received = Received.drain(in);
                assertEquals(size, received.bytes());
                assertArrayEquals(Fixtures.sha256(file), received.sha256());
            }
        }

        List<Options> asWritten() {
            return List.copyOf(asWritten);
        }
    }

    /** Reads at most 4 KiB a call, as a slow peer takes what arrives. */
    private static final class SmallReads extends InputStream {
        private final InputStream in;

        SmallReads(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return in.read(b, off, Math.min(len, 4096));
        }
    }
}
