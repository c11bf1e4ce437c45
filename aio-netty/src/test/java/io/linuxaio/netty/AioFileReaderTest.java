package io.linuxaio.netty;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linuxaio.AioContext;
import io.linuxaio.AioException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AioFileReaderTest {
    @TempDir
    Path dir;

    @Test
    void aFilesLinesAreDecodedByLineBasedFrameDecoderOnTheLoop() throws Exception {
        List<String> lines = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(20);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 5_000; i++) {
            StringBuilder line = new StringBuilder("line " + i + ":");
            for (int n = random.nextInt(120); n > 0; n--) {
                line.append((char) ('a' + random.nextInt(26)));
            }
            lines.add(line.toString());
            text.append(line).append('\n');
        }
        Path path = dir.resolve("lines.txt");
        Files.writeString(path, text, US_ASCII);
        try (Rig rig = new Rig(2)) {
            List<String> decoded = new CopyOnWriteArrayList<>();
            List<String> offLoop = new CopyOnWriteArrayList<>();
            CompletableFuture<AioFileReader.EndOfFile> end = new CompletableFuture<>();
            CompletableFuture<Void> closed = new CompletableFuture<>();
            InetSocketAddress address = rig.serve(p -> p.addLast(
                    new AioFileReader(rig.loops, AioFileRegion.of(path.toString(), 0, AioFileRegion.TO_END), 4096, true),
                    new LineBasedFrameDecoder(1024), new StringDecoder(US_ASCII), new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            if (!ctx.channel().eventLoop().inEventLoop()) {
                                offLoop.add(Thread.currentThread().getName());
                            }
                            decoded.add((String) msg);
                        }

                        @Override
                        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                            if (evt instanceof AioFileReader.EndOfFile eof) {
                                end.complete(eof);
                            }
                        }

                        @Override
                        public void channelInactive(ChannelHandlerContext ctx) {
                            closed.complete(null);
                        }
                    }));
            try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
                assertEquals(-1, socket.getInputStream().read(), "the server closes at the end of the file");
            }
            closed.get(60, TimeUnit.SECONDS);
            assertEquals(lines, decoded);
            assertEquals(Files.size(path), end.get(60, TimeUnit.SECONDS).bytes());
            assertTrue(offLoop.isEmpty(), "lines decoded off the loop: " + offLoop);
        }
    }

    @Test
    void withAutoReadOffEachReadPassesOnOneChunkThenTheTransportTakesOver() throws Exception {
        Path path = Fixtures.randomFile(dir, "f", 10_000, 21);
        try (Rig rig = new Rig(1)) {
            BlockingQueue<Object> events = new LinkedBlockingQueue<>();
            InetSocketAddress address = rig.serve(p -> {
                p.channel().config().setAutoRead(false);
                p.addLast(new AioFileReader(rig.loops, AioFileRegion.of(path.toString(), 0, AioFileRegion.TO_END), 1000, false),
                        new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                events.add(Fixtures.bytesOf(msg));
                            }

                            @Override
                            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                events.add(evt);
                            }
                        });
            });
            try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
                Channel ch = rig.nextAccepted();
                AioContext context = rig.loops.forChannel(ch);
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                for (int chunk = 1; chunk <= 10; chunk++) {
                    ch.read();
                    byte[] bytes = (byte[]) next(events);
                    assertEquals(1000, bytes.length);
                    got.writeBytes(bytes);
                    // Nothing more was asked for, so nothing more may be read or waiting.
                    int[] state = Fixtures.onLoop(ch, () -> new int[] {context.nreqs(), events.size()});
                    assertEquals(0, state[0], "a read ran without demand after chunk " + chunk);
                    assertEquals(0, state[1], "more than one chunk for one read()");
                }
                assertArrayEquals(Files.readAllBytes(path), got.toByteArray());
                ch.read(); // the read that finds the end
                AioFileReader.EndOfFile eof = assertInstanceOf(AioFileReader.EndOfFile.class, next(events));
                assertEquals(10_000, eof.bytes());

                OutputStream out = socket.getOutputStream();
                out.write("from the socket".getBytes(US_ASCII));
                out.flush();
                ch.read(); // now passed on to the transport
                assertEquals("from the socket", new String((byte[]) next(events), US_ASCII));
            }
        }
    }

    @Test
    void withAutoReadOnTheFileComesFirstThenThePeersBytes() throws Exception {
        Path path = Fixtures.randomFile(dir, "f", 300_000, 22);
        try (Rig rig = new Rig(1)) {
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            CompletableFuture<Long> endAt = new CompletableFuture<>();
            CompletableFuture<Void> closed = new CompletableFuture<>();
            InetSocketAddress address = rig.serve(p -> p.addLast(
                    new AioFileReader(rig.loops, AioFileRegion.of(path.toString(), 1000, 250_000)),
                    new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            received.writeBytes(Fixtures.bytesOf(msg));
                        }

                        @Override
                        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                            if (evt instanceof AioFileReader.EndOfFile) {
                                endAt.complete((long) received.size());
                            }
                        }

                        @Override
                        public void channelInactive(ChannelHandlerContext ctx) {
                            closed.complete(null);
                        }
                    }));
            try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
                socket.getOutputStream().write("peer".getBytes(US_ASCII)); // long before the file has ended
                assertEquals(250_000L, endAt.get(60, TimeUnit.SECONDS), "the peer's bytes waited for the file");
                Fixtures.await(() -> received.size() == 250_004, () -> "received " + received.size());
            }
            closed.get(60, TimeUnit.SECONDS);
            byte[] content = Files.readAllBytes(path);
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            expected.write(content, 1000, 250_000);
            expected.writeBytes("peer".getBytes(US_ASCII));
            assertArrayEquals(expected.toByteArray(), received.toByteArray());
        }
    }

    @Test
    void failuresReachExceptionCaught() throws Exception {
        Path path = Fixtures.randomFile(dir, "f", 5000, 23);
        try (Rig rig = new Rig(1)) {
            for (AioFileRegion region : List.of(AioFileRegion.of(dir.resolve("missing").toString(), 0, 10),
                    AioFileRegion.of(path.toString(), 0, 6000))) {
                CompletableFuture<Throwable> failure = new CompletableFuture<>();
                List<Object> events = new CopyOnWriteArrayList<>();
                InetSocketAddress address = rig.serve(p -> p.addLast(new AioFileReader(rig.loops, region),
                        new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ((ByteBuf) msg).release();
                            }

                            @Override
                            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                events.add(evt);
                            }

                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                failure.complete(cause);
                                ctx.close();
                            }
                        }));
                try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
                    Throwable cause = failure.get(60, TimeUnit.SECONDS);
                    assertInstanceOf(IOException.class, cause);
                    if (region.count() == 10) {
                        assertEquals("ENOENT", assertInstanceOf(AioException.class, cause).errnoName());
                    } else {
                        assertTrue(cause.getMessage().contains("ended at offset 5000"), cause.getMessage());
                    }
                    assertTrue(events.isEmpty(), "no EndOfFile after a failure: " + events);
                }
            }
        }
    }

    private static Object next(BlockingQueue<Object> events) throws InterruptedException {
        Object event = events.poll(60, TimeUnit.SECONDS);
        if (event == null) {
            throw new AssertionError("nothing arrived within a minute");
        }
        return event;
    }

}
