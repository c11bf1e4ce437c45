package io.linuxaio.netty;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.IllegalReferenceCountException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Clients that go away in the middle of a response body, behind {@code HttpServerCodec}: every
 * chunk buffer is released exactly once (no leak, and no {@link IllegalReferenceCountException}
 * from a second release), and the handler holds nothing afterwards.
 */
class ClientAbortTest {
    private static final int MiB = 1 << 20;

    @TempDir
    Path dir;

    /** Answers every request with {@code file} as its body: head, region, last content. */
    private static final class FileResponder extends SimpleChannelInboundHandler<HttpRequest> {
        private final Path file;
        private final long size;
        private final boolean chunked;
        private final List<ChannelFuture> bodies;

        FileResponder(Path file, long size, boolean chunked, List<ChannelFuture> bodies) {
            this.file = file;
            this.size = size;
            this.chunked = chunked;
            this.bodies = bodies;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpRequest request) {
            HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            if (chunked) {
                HttpUtil.setTransferEncodingChunked(response, true);
            } else {
                HttpUtil.setContentLength(response, size);
            }
            ctx.write(response);
            bodies.add(ctx.write(AioFileRegion.of(file.toString(), 0, AioFileRegion.TO_END)));
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // a reset peer: nothing to answer, and nothing worth logging
        }
    }

    /**
     * Closes the channel just before the {@code n}th buffer of {@code size} bytes goes to the
     * transport, as a peer's reset that the loop has just read does: the write then fails at once,
     * inside the encoder's write, and its listeners run there.
     */
    private static final class CloseBeforeNthChunk extends ChannelOutboundHandlerAdapter {
        private final int size;
        private int left;

        CloseBeforeNthChunk(int size, int n) {
            this.size = size;
            this.left = n;
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof ByteBuf buf && buf.readableBytes() == size && --left == 0) {
                ctx.channel().close();
            }
            ctx.write(msg, promise);
        }
    }

    private static InetSocketAddress serve(Rig rig, List<AioFileHandler> handlers, Consumer<ChannelPipeline> front,
                                           Supplier<FileResponder> responder) {
        return rig.serve(p -> {
            front.accept(p);
            AioFileHandler handler = new AioFileHandler(rig.loops, 16 * 1024, 4);
            handlers.add(handler);
            p.addLast(new HttpServerCodec(), handler, responder.get());
        });
    }

    @ParameterizedTest(name = "chunked {0}")
    @ValueSource(booleans = {false, true})
    void aChunkWriteThatFailsAtOnceReleasesItsBufferOnceAndEndsTheResponse(boolean chunked) throws Exception {
        Path file = Fixtures.randomFile(dir, "body", 4 * MiB, 50);
        List<AioFileHandler> handlers = new CopyOnWriteArrayList<>();
        List<ChannelFuture> bodies = new CopyOnWriteArrayList<>();
        try (LoggedFailures logged = LoggedFailures.open(); Rig rig = new Rig(1)) {
            InetSocketAddress address = serve(rig, handlers, p -> p.addLast(new CloseBeforeNthChunk(16 * 1024, 3)),
                    () -> new FileResponder(file, 4 * MiB, chunked, bodies));
            try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
                socket.getOutputStream().write("GET /body HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(US_ASCII));
                byte[] got = socket.getInputStream().readAllBytes(); // ends: the server closed
                assertTrue(got.length < 4 * MiB, "the body was cut short: " + got.length);
            }
            Fixtures.await(() -> bodies.size() == 1 && bodies.get(0).isDone(), () -> "the body's promise is not done");
            assertNotNull(bodies.get(0).cause(), "the body's promise failed");
            AioFileHandler handler = handlers.get(0);
            Fixtures.await(() -> handler.chunksHeld() == 0, () -> "chunks still held: " + handler.chunksHeld());
            assertEquals(List.of(), logged.of(IllegalReferenceCountException.class), "released twice: " + logged.seen());
        }
    }

    @Test
    void clientsThatResetMidBodyManyTimesReleaseEveryBufferExactlyOnce() throws Exception {
        long size = 8L * MiB;
        Path file = Fixtures.randomFile(dir, "body", size, 51);
        int clients = 4;
        int resetsEach = 60;
        List<AioFileHandler> handlers = new CopyOnWriteArrayList<>();
        List<ChannelFuture> bodies = new CopyOnWriteArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try (LoggedFailures logged = LoggedFailures.open(); Rig rig = new Rig(2)) {
            int fdsBefore = Fixtures.openFdsButRings().size();
            InetSocketAddress plain = serve(rig, handlers, p -> {}, () -> new FileResponder(file, size, false, bodies));
            InetSocketAddress chunked = serve(rig, handlers, p -> {}, () -> new FileResponder(file, size, true, bodies));
            List<Future<?>> runs = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                InetSocketAddress address = c % 2 == 0 ? plain : chunked;
                SplittableRandom random = new SplittableRandom(c);
                runs.add(pool.submit(() -> {
                    byte[] buf = new byte[64 * 1024];
                    for (int i = 0; i < resetsEach; i++) {
                        try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
                            OutputStream out = socket.getOutputStream();
                            out.write("GET /body HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(US_ASCII));
                            InputStream in = socket.getInputStream();
                            // Read while the server's reads are in flight, then reset.
                            long want = 1 + random.nextLong(2L * MiB);
                            for (long got = 0; got < want; ) {
                                int n = in.read(buf);
                                assertTrue(n > 0, "the server ended the response early");
                                got += n;
                            }
                            socket.setSoLinger(true, 0);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get(Fixtures.DEADLINE.toSeconds(), TimeUnit.SECONDS);
            }
            assertEquals(clients * resetsEach, rig.accepted.size());
            Fixtures.await(() -> bodies.size() == clients * resetsEach && bodies.stream().allMatch(ChannelFuture::isDone),
                    () -> bodies.stream().filter(f -> !f.isDone()).count() + " bodies not done of " + bodies.size());
            for (ChannelFuture body : bodies) {
                assertFalse(body.isSuccess(), "a reset body's promise succeeded");
            }
            for (AioFileHandler handler : handlers) {
                Fixtures.await(() -> handler.chunksHeld() == 0, () -> "chunks still held: " + handler.chunksHeld());
            }
            Fixtures.await(() -> Fixtures.openFdsButRings().size() <= fdsBefore + 2, // the two listening sockets
                    () -> "fds: " + Fixtures.openFdsButRings().size() + ", before " + fdsBefore + ": " + Fixtures.openFds());
            assertTrue(Fixtures.rings() <= 2, "at most one ring for each of the two loops: " + Fixtures.openFds());
            assertEquals(List.of(), logged.of(IllegalReferenceCountException.class),
                    logged.of(IllegalReferenceCountException.class).size() + " released twice: " + logged.seen());
        } finally {
            pool.shutdownNow();
        }
    }
}
