package io.linuxaio.netty;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linuxaio.AioContext;
import io.linuxaio.AioException;
import io.linuxaio.AioFile;
import io.linuxaio.InlineStats;
import io.linuxaio.Fcntl;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AioFileHandlerTest {
    private static final int MiB = 1 << 20;

    @TempDir
    Path dir;

    /** A server that sends one region to each peer as soon as it connects, then closes. */
    private static final class FileServer {
        final InetSocketAddress address;
        final List<AioFileHandler> handlers = new CopyOnWriteArrayList<>();
        /** The first peer's write promise. */
        final CompletableFuture<Void> sent = new CompletableFuture<>();

        FileServer(Rig rig, Path file, SslContext ssl, int chunkSize, int chunksInFlight) {
            AioFileRegion region = AioFileRegion.of(file.toString(), 0, AioFileRegion.TO_END);
            address = rig.serve(p -> {
                if (ssl != null) {
                    p.addLast(ssl.newHandler(p.channel().alloc()));
                }
                AioFileHandler handler = new AioFileHandler(rig.loops, chunkSize, chunksInFlight);
                handlers.add(handler);
                p.addLast(handler, new OnActive(ctx -> ctx.writeAndFlush(region).addListener((ChannelFuture f) -> {
                    if (f.isSuccess()) {
                        sent.complete(null);
                    } else {
                        sent.completeExceptionally(f.cause());
                    }
                    f.channel().close();
                })));
            });
        }

        FileServer(Rig rig, Path file) {
            this(rig, file, null, AioFileHandler.DEFAULT_CHUNK_SIZE, AioFileHandler.DEFAULT_CHUNKS_IN_FLIGHT);
        }

        Socket connect() throws IOException {
            return new Socket(address.getAddress(), address.getPort());
        }
    }

    @Test
    void a64MiBFileArrivesByteExactOverTcp() throws Exception {
        Path file = Fixtures.randomFile(dir, "big", 64L * MiB, 1);
        try (Rig rig = new Rig(2)) {
            FileServer server = new FileServer(rig, file);
            Received received;
            try (Socket socket = server.connect()) {
                received = Received.drain(socket.getInputStream());
            }
            server.sent.get(60, TimeUnit.SECONDS);
            assertEquals(64L * MiB, received.bytes());
            assertArrayEquals(Fixtures.sha256(file), received.sha256());
            assertEquals(0, server.handlers.get(0).movedCallbacks(), "every read completed on the channel's loop");
        }
    }

    @Test
    void a64MiBFileArrivesByteExactOverTls() throws Exception {
        Path file = Fixtures.randomFile(dir, "big", 64L * MiB, 2);
        SelfSignedCertificate cert = new SelfSignedCertificate("localhost");
        try (Rig rig = new Rig(2)) {
            SslContext ssl = SslContextBuilder.forServer(cert.certificate(), cert.privateKey()).build();
            FileServer server = new FileServer(rig, file, ssl, AioFileHandler.DEFAULT_CHUNK_SIZE, AioFileHandler.DEFAULT_CHUNKS_IN_FLIGHT);
            SSLContext client = SSLContext.getInstance("TLS");
            client.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
            Received received;
            try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket(server.address.getAddress(), server.address.getPort())) {
                socket.startHandshake();
                received = Received.drain(socket.getInputStream());
            }
            server.sent.get(60, TimeUnit.SECONDS);
            assertEquals(64L * MiB, received.bytes());
            assertArrayEquals(Fixtures.sha256(file), received.sha256());
        } finally {
            cert.delete();
        }
    }

    @ParameterizedTest(name = "{0}-byte chunks, {1} in flight, {2} MiB")
    @CsvSource({"65536, 4, 64", "16384, 2, 16"})
    void aPeerThatDoesNotReadHoldsTheServerToItsChunksInFlight(int chunkSize, int chunksInFlight, int mib) throws Exception {
        Path file = Fixtures.randomFile(dir, "big", (long) mib * MiB, 3);
        try (Rig rig = new Rig(1)) {
            FileServer server = new FileServer(rig, file, null, chunkSize, chunksInFlight);
            try (Socket socket = new Socket()) {
                socket.setReceiveBufferSize(64 * 1024);
                socket.connect(server.address);
                Channel ch = rig.nextAccepted();
                AioFileHandler handler = server.handlers.get(0);
                AioContext context = rig.loops.forChannel(ch);
                // Stalled: no read running, and either every chunk is held or the channel is unwritable.
                long[][] stall = new long[1][];
                Fixtures.await(() -> {
                    stall[0] = Fixtures.onLoop(ch, () -> snapshot(ch, handler, context));
                    return stall[0][4] == 0 && (stall[0][0] == chunksInFlight || stall[0][3] == 0);
                }, () -> "the transfer did not stall: " + Arrays.toString(stall[0]));
                long[] held = stall[0];
                assertTrue(held[0] <= chunksInFlight, "chunks held " + held[0]);
                assertTrue(held[5] <= chunksInFlight, "buffers waiting in the outbound buffer: " + held[5]);
                assertTrue(held[1] <= (long) chunksInFlight * chunkSize, "bytes waiting in the outbound buffer: " + held[1]);
                assertTrue(held[2] < (long) mib * MiB / 2, "read " + held[2] + " bytes for a peer that reads nothing");

                Received received = Received.drain(socket.getInputStream());
                assertEquals((long) mib * MiB, received.bytes());
                assertArrayEquals(Fixtures.sha256(file), received.sha256());
                server.sent.get(60, TimeUnit.SECONDS);
                assertTrue(handler.peakChunksHeld() <= chunksInFlight, "peak " + handler.peakChunksHeld());
                assertEquals(chunksInFlight, handler.peakChunksHeld(), "the budget was used");
            }
        }
    }

    /** chunks held, bytes and buffers in the outbound buffer, bytes read, writable, reads running. */
    private static long[] snapshot(Channel ch, AioFileHandler handler, AioContext context) throws Exception {
        long[] bytesAndBuffers = new long[2];
        ChannelOutboundBuffer out = ch.unsafe().outboundBuffer();
        if (out != null) {
            out.forEachFlushedMessage(msg -> {
                bytesAndBuffers[0] += ((ByteBuf) msg).readableBytes();
                bytesAndBuffers[1]++;
                return true;
            });
        }
        return new long[] {handler.chunksHeld(), bytesAndBuffers[0], handler.bytesRead(), ch.isWritable() ? 1 : 0,
                context.nreqs(), bytesAndBuffers[1]};
    }


    @Test
    void aPeerThatDisconnectsMidFileLeavesNoFdAndNoBuffer() throws Exception {
        Path file = Fixtures.randomFile(dir, "big", 64L * MiB, 4);
        try (Rig rig = new Rig(1)) {
            FileServer server = new FileServer(rig, file);
            int fdsBefore = Fixtures.openFdsButRings().size();
            try (Socket socket = server.connect()) {
                InputStream in = socket.getInputStream();
                byte[] buf = new byte[1 << 16];
                for (long got = 0; got < 2L * MiB; ) {
                    int n = in.read(buf);
                    assertTrue(n > 0);
                    got += n;
                }
                socket.setSoLinger(true, 0); // reset, mid-file
            }
            Throwable failure = assertThrows(Exception.class, () -> server.sent.get(60, TimeUnit.SECONDS)).getCause();
            assertInstanceOf(IOException.class, failure, "the promise fails with the channel's error: " + failure);
            AioFileHandler handler = server.handlers.get(0);
            Fixtures.await(() -> handler.chunksHeld() == 0, () -> "chunks still held: " + handler.chunksHeld());
            Fixtures.await(() -> Fixtures.openFdsButRings().size() == fdsBefore,
                    () -> "fds: " + Fixtures.openFdsButRings().size() + ", before " + fdsBefore + ": " + Fixtures.openFds());
            assertTrue(Fixtures.rings() <= 1, "at most the one loop's ring: " + Fixtures.openFds());
            assertTrue(handler.bytesRead() < 64L * MiB, "reading stopped when the peer left");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"close AioEventLoops", "shut the group down"})
    void stoppingEverythingMidTransferFailsThePromiseAndLeavesNoFileOrBuffer(String how) throws Exception {
        Path file = Fixtures.randomFile(dir, "big", 64L * MiB, 12);
        Rig rig = new Rig(1);
        try {
            FileServer server = new FileServer(rig, file);
            try (Socket socket = server.connect()) {
                InputStream in = socket.getInputStream();
                byte[] buf = new byte[1 << 16];
                for (long got = 0; got < 4L * MiB; ) {
                    got += in.read(buf);
                }
                // Reads are in flight while we stop: the drain must release what they fill.
                if (how.startsWith("close")) {
                    rig.loops.close();
                } else {
                    // A quiet period, however short, makes the loop close its channels: with
                    // none, Netty 4.2 terminates without closing them when the shutdown begins
                    // while the loop runs tasks (the client would wait for ever).
                    rig.group.shutdownGracefully(100, 10_000, TimeUnit.MILLISECONDS).sync();
                }
                while (in.read(buf) > 0) {
                    // the server closes the channel: read up to the end
                }
            }
            assertThrows(Exception.class, () -> server.sent.get(60, TimeUnit.SECONDS));
            AioFileHandler handler = server.handlers.get(0);
            Fixtures.await(() -> handler.chunksHeld() == 0, () -> "chunks still held: " + handler.chunksHeld());
            assertTrue(handler.bytesRead() < 64L * MiB, "the transfer was cut short");
        } finally {
            rig.close();
        }
        Fixtures.await(() -> Fixtures.openFds().stream().noneMatch(fd -> fd.endsWith(file.toString())),
                () -> "the file is still open: " + Fixtures.openFds());
    }

    @Test
    void writesAfterARegionKeepTheirOrder() throws Exception {
        Path path = Fixtures.randomFile(dir, "f", MiB, 5);
        byte[] content = Files.readAllBytes(path);
        try (Rig rig = new Rig(1)) {
            AioContext context = rig.loops.forLoop(rig.group.next());
            AioFile open = context.open(path.toString(), Fcntl.O_RDONLY, 0, null).future().get(60, TimeUnit.SECONDS);
            List<ChannelFuture> promises = new CopyOnWriteArrayList<>();
            CompletableFuture<Void> allSent = new CompletableFuture<>();
            InetSocketAddress address = rig.serve(p -> p.addLast(new AioFileHandler(rig.loops, 4096, 3), new OnActive(ctx -> {
                promises.add(ctx.write(ascii("head|")));
                promises.add(ctx.write(AioFileRegion.of(path.toString(), 1000, 50_000)));
                promises.add(ctx.write(ascii("|mid|")));
                promises.add(ctx.write(AioFileRegion.of(path.toString(), content.length - 3000, AioFileRegion.TO_END)));
                promises.add(ctx.write(AioFileRegion.of(open, 5, 0)));
                promises.add(ctx.write(AioFileRegion.of(open, 70_000, 200_001)));
                promises.add(ctx.writeAndFlush(ascii("|tail")).addListener((ChannelFuture f) -> {
                    allSent.complete(null);
                    f.channel().close();
                }));
            })));
            byte[] received;
            try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
                received = socket.getInputStream().readAllBytes();
            }
            allSent.get(60, TimeUnit.SECONDS);
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            expected.writeBytes("head|".getBytes(US_ASCII));
            expected.write(content, 1000, 50_000);
            expected.writeBytes("|mid|".getBytes(US_ASCII));
            expected.write(content, content.length - 3000, 3000);
            expected.write(content, 70_000, 200_001);
            expected.writeBytes("|tail".getBytes(US_ASCII));
            assertEquals(expected.size(), received.length);
            assertArrayEquals(expected.toByteArray(), received);
            for (ChannelFuture promise : promises) {
                assertTrue(promise.isSuccess(), promise + " " + promise.cause());
            }
            assertFalse(open.isClosed(), "a region's AioFile stays the caller's");
            context.close(open, null).future().get(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void aMissingFileFailsItsPromiseAndTheWritesAfterItProceed() throws Exception {
        Path path = Fixtures.randomFile(dir, "f", 1000, 6);
        try (Rig rig = new Rig(1)) {
            CompletableFuture<Throwable> missing = new CompletableFuture<>();
            CompletableFuture<Throwable> pastEnd = new CompletableFuture<>();
            InetSocketAddress address = rig.serve(p -> p.addLast(new AioFileHandler(rig.loops), new OnActive(ctx -> {
                ctx.write(ascii("before|"));
                ctx.write(AioFileRegion.of(dir.resolve("no-such-file").toString(), 0, AioFileRegion.TO_END))
                        .addListener((ChannelFuture f) -> missing.complete(f.cause()));
                ctx.write(AioFileRegion.of(path.toString(), 2000, AioFileRegion.TO_END))
                        .addListener((ChannelFuture f) -> pastEnd.complete(f.cause()));
                ctx.writeAndFlush(ascii("after")).addListener(ChannelFutureListener.CLOSE);
            })));
            byte[] received;
            try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
                received = socket.getInputStream().readAllBytes();
            }
            assertEquals("before|after", new String(received, US_ASCII));
            AioException e = assertInstanceOf(AioException.class, missing.get(60, TimeUnit.SECONDS));
            assertEquals("ENOENT", e.errnoName());
            Throwable past = pastEnd.get(60, TimeUnit.SECONDS);
            assertInstanceOf(IOException.class, past);
            assertTrue(past.getMessage().contains("past the end"), past.getMessage());
        }
    }

    @Test
    void aRegionPastTheEndOfTheFileFailsAndClosesTheChannelRatherThanHang() throws Exception {
        Path path = Fixtures.randomFile(dir, "f", MiB, 7);
        try (Rig rig = new Rig(1)) {
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            InetSocketAddress address = rig.serve(p -> p.addLast(new AioFileHandler(rig.loops), new OnActive(ctx -> {
                ctx.writeAndFlush(AioFileRegion.of(path.toString(), 0, MiB + 100_000))
                        .addListener((ChannelFuture f) -> outcome.complete(f.cause()));
                ctx.writeAndFlush(ascii("never sent"));
            })));
            byte[] received;
            try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
                received = socket.getInputStream().readAllBytes(); // ends: the handler closed the channel
            }
            Throwable failure = outcome.get(60, TimeUnit.SECONDS);
            assertInstanceOf(IOException.class, failure);
            assertTrue(failure.getMessage().contains("ended at offset " + MiB), failure.getMessage());
            assertArrayEquals(Files.readAllBytes(path), received, "the file's bytes, then nothing");
        }
    }

    @ParameterizedTest(name = "{0}-byte chunks")
    @ValueSource(ints = {65_536, 30_000, 4096, 100_000, 150_000})
    void aRegionThatOutrunsItsFileSendsEveryByteTheFileHasThenCloses(int chunkSize) throws Exception {
        Path path = Fixtures.randomFile(dir, "f", 100_000, 13);
        try (Rig rig = new Rig(1)) {
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            InetSocketAddress address = rig.serve(p -> p.addLast(new AioFileHandler(rig.loops, chunkSize, 4), new OnActive(ctx -> {
                ctx.writeAndFlush(AioFileRegion.of(path.toString(), 0, 150_000))
                        .addListener((ChannelFuture f) -> outcome.complete(f.cause()));
                ctx.writeAndFlush(ascii("never sent"));
            })));
            byte[] received;
            try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
                received = socket.getInputStream().readAllBytes(); // ends: the handler closed the channel
            }
            assertArrayEquals(Files.readAllBytes(path), received, "every byte the file has, then nothing");
            Throwable failure = outcome.get(60, TimeUnit.SECONDS);
            assertInstanceOf(IOException.class, failure);
            assertTrue(failure.getMessage().contains("ended at offset 100000"), failure.getMessage());
        }
    }

    @Test
    void aCachedFileIsReadOnTheLoopWithoutAWorker() throws Exception {
        long size = 8L * MiB;
        Path file = Fixtures.cachedRandomFile(dir, "cached", size, 8);
        try (Rig rig = new Rig(2)) {
            FileServer server = new FileServer(rig, file);
            long[] read = readsWhileServing(server, size);
            InlineStats stats = rig.aio.inlineStats();
            long viaRing = stats.readsBatched() * AioFileHandler.DEFAULT_CHUNK_SIZE;
            assertTrue(read[0] + viaRing >= size, "the loop read the cached file itself (RWF_NOWAIT): " + read[0]
                    + " bytes by preadv2, up to " + viaRing + " through io_uring");
            assertTrue(read[1] < MiB, "no worker read it: " + read[1]);
            assertTrue(stats.reads() >= size / AioFileHandler.DEFAULT_CHUNK_SIZE, stats.toString());
            assertEquals(0, stats.readsToPool(), stats.toString());
        }
    }

    /**
     * The loops never wait for the disk: what the page cache lacks is read by workers. (The loop's
     * own tries may start the kernel's readahead, so later chunks can be cached by the time they
     * are tried; the first cannot be.)
     */
    @Test
    void anUncachedFileIsReadByWorkersNotTheLoops(@TempDir(factory = Fixtures.OnDisk.class) Path disk) throws Exception {
        long size = 32L * MiB;
        Path file = Fixtures.randomFile(disk, "uncached", size, 8);
        Fixtures.evict(file);
        try (Rig rig = new Rig(2)) {
            FileServer server = new FileServer(rig, file);
            long[] read = readsWhileServing(server, size);
            long viaRing = rig.aio.inlineStats().readsBatched() * AioFileHandler.DEFAULT_CHUNK_SIZE;
            assertTrue(read[1] >= AioFileHandler.DEFAULT_CHUNK_SIZE, "workers read what was not cached: " + read[1]);
            assertTrue(read[0] + viaRing + read[1] >= size, "every byte was read by a loop (cached) or a worker");
            assertTrue(rig.aio.inlineStats().readsToPool() >= 1, rig.aio.inlineStats().toString());
            assertEquals(0, server.handlers.get(0).movedCallbacks(), "every completion arrived on the channel's loop");
        }
    }

    /** Serves the file of {@code size} bytes to one peer; returns what the loops and the workers read meanwhile. */
    private static long[] readsWhileServing(FileServer server, long size) throws Exception {
        Map<String, long[]> before = Fixtures.threadReads();
        try (Socket socket = server.connect()) {
            assertEquals(size, Received.drain(socket.getInputStream()).bytes());
        }
        server.sent.get(60, TimeUnit.SECONDS);
        return readsByLoopsAndWorkers(before, Fixtures.threadReads());
    }

    /**
     * Bytes read (rchar) between two looks, by the rig's loop threads and by the engine's workers.
     * A loop's reads made together through io_uring are in no thread's rchar: callers add those
     * ({@link InlineStats#readsBatched()} chunks at most).
     */
    private static long[] readsByLoopsAndWorkers(Map<String, long[]> before, Map<String, long[]> after) {
        long byLoops = 0;
        long byWorkers = 0;
        int loops = 0;
        for (Map.Entry<String, long[]> thread : after.entrySet()) {
            long[] was = before.get(thread.getKey());
            long read = thread.getValue()[0] - (was == null ? 0 : was[0]);
            String comm = thread.getKey().substring(thread.getKey().indexOf(' ') + 1);
            if (comm.startsWith(Rig.LOOP_PREFIX)) {
                byLoops += read;
                loops++;
            } else if (comm.startsWith("aio-worker-")) {
                byWorkers += read;
            }
        }
        assertEquals(2, loops, "both loop threads found by name: " + after.keySet());
        return new long[] {byLoops, byWorkers};
    }

    @Test
    void hundredsOfChannelsOnSeveralLoopsAllGetTheirBytesExactly() throws Exception {
        Path path = Fixtures.randomFile(dir, "f", 4 * MiB, 9);
        byte[] content = Files.readAllBytes(path);
        int channels = 300;
        EventLoopGroup clients = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        try (Rig rig = new Rig(3)) {
            InetSocketAddress address = rig.serve(p -> p.addLast(new AioFileHandler(rig.loops, 16 * 1024, 4),
                    new LineBasedFrameDecoder(64), new StringDecoder(US_ASCII), new SimpleChannelInboundHandler<String>() {
                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, String request) {
                            String[] range = request.split(" ");
                            ctx.writeAndFlush(AioFileRegion.of(path.toString(), Long.parseLong(range[0]), Long.parseLong(range[1])))
                                    .addListener(ChannelFutureListener.CLOSE);
                        }
                    }));
            SplittableRandom random = new SplittableRandom(10);
            List<long[]> ranges = new ArrayList<>();
            List<CompletableFuture<byte[]>> results = new ArrayList<>();
            Bootstrap bootstrap = new Bootstrap().group(clients).channel(NioSocketChannel.class);
            for (int i = 0; i < channels; i++) {
                long position = random.nextInt(content.length);
                long count = Math.min(content.length - position, random.nextInt(160 * 1024));
                ranges.add(new long[] {position, count});
                CompletableFuture<byte[]> result = new CompletableFuture<>();
                results.add(result);
                bootstrap.clone().handler(new Collector(position + " " + count + "\n", result)).connect(address);
            }
            for (int i = 0; i < channels; i++) {
                byte[] got = results.get(i).get(60, TimeUnit.SECONDS);
                int position = (int) ranges.get(i)[0];
                int count = (int) ranges.get(i)[1];
                assertArrayEquals(Arrays.copyOfRange(content, position, position + count), got,
                        "channel " + i + ": " + count + " bytes from " + position);
            }
            assertEquals(3, rig.accepted.stream().map(Channel::eventLoop).distinct().count(), "all loops served");
        } finally {
            clients.shutdownGracefully(0, 10, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void badArgumentsThrowInTheCaller() throws Exception {
        try (Rig rig = new Rig(1)) {
            assertThrows(IllegalArgumentException.class, () -> AioFileRegion.of("/x", -1, 10));
            assertThrows(IllegalArgumentException.class, () -> AioFileRegion.of("/x", 0, -2));
            assertThrows(IllegalArgumentException.class, () -> AioFileRegion.of("/x", Long.MAX_VALUE, 2));
            assertThrows(IllegalArgumentException.class, () -> AioFileRegion.of("", 0, 1));
            assertThrows(NullPointerException.class, () -> AioFileRegion.of((String) null, 0, 1));
            assertThrows(NullPointerException.class, () -> AioFileRegion.of((AioFile) null, 0, 1));
            assertThrows(IllegalArgumentException.class, () -> new AioFileHandler(rig.loops, 0, 4));
            assertThrows(IllegalArgumentException.class, () -> new AioFileHandler(rig.loops, 4096, 0));
            assertThrows(NullPointerException.class, () -> new AioFileHandler(null));
            AioFileRegion region = AioFileRegion.of("/x", 3, AioFileRegion.TO_END);
            assertEquals("/x", region.path());
            assertNull(region.file());
            assertEquals(3, region.position());
            assertEquals(-1, region.count());
        }
    }

    @Test
    void aClosedChannelFailsWritesAndStartsNoRead() throws Exception {
        Path path = Fixtures.randomFile(dir, "f", MiB, 11);
        try (Rig rig = new Rig(1)) {
            List<AioFileHandler> handlers = new CopyOnWriteArrayList<>();
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            InetSocketAddress address = rig.serve(p -> {
                AioFileHandler handler = new AioFileHandler(rig.loops);
                handlers.add(handler);
                p.addLast(handler, new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelInactive(ChannelHandlerContext ctx) {
                        ByteBuf late = ascii("late");
                        ctx.write(late);
                        ctx.writeAndFlush(AioFileRegion.of(path.toString(), 0, AioFileRegion.TO_END))
                                .addListener((ChannelFuture f) -> outcome.complete(f.cause()));
                    }
                });
            });
            new Socket(address.getAddress(), address.getPort()).close();
            assertInstanceOf(ClosedChannelException.class, outcome.get(60, TimeUnit.SECONDS));
            assertEquals(0, handlers.get(0).bytesRead());
        }
    }

    private static ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, US_ASCII);
    }

    /** A client that sends one request line and keeps every byte until the server closes. */
    private static final class Collector extends ChannelInboundHandlerAdapter {
        private final String request;
        private final CompletableFuture<byte[]> result;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        Collector(String request, CompletableFuture<byte[]> result) {
            this.request = request;
            this.result = result;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(ascii(request));
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            try {
                byte[] chunk = new byte[buf.readableBytes()];
                buf.readBytes(chunk);
                bytes.writeBytes(chunk);
            } finally {
                buf.release();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            result.complete(bytes.toByteArray());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            result.completeExceptionally(cause);
            ctx.close();
        }
    }
}
