package io.linuxaio.netty;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A chunk buffer the allocator cannot give (direct memory is exhausted) fails that one transfer,
 * read or upload, cleanly: the failure reaches its promise or handler, nothing stays held, and the
 * channel goes on or closes as after any other failure. Nothing hangs.
 */
class MemoryPressureTest {
    /** A size no transport read buffer has, so only chunk buffers fail. */
    private static final int CHUNK = 10_000;

    @TempDir
    Path dir;

    @Test
    void aChunkBufferThatCannotBeAllocatedFailsTheRegionAndTheWritesAfterItProceed() throws Exception {
        Path path = Fixtures.randomFile(dir, "f", 100_000, 70);
        FailingAllocator allocator = new FailingAllocator().failDirect(CHUNK, 1);
        try (Rig rig = new Rig(1)) {
            List<AioFileHandler> handlers = new CopyOnWriteArrayList<>();
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            InetSocketAddress address = rig.serve(p -> {
                p.channel().config().setOption(ChannelOption.ALLOCATOR, allocator);
                AioFileHandler handler = new AioFileHandler(rig.loops, CHUNK, 4);
                handlers.add(handler);
                p.addLast(handler, new OnActive(ctx -> {
                    ctx.write(Unpooled.copiedBuffer("before|", US_ASCII));
                    ctx.write(AioFileRegion.of(path.toString(), 0, AioFileRegion.TO_END))
                            .addListener((ChannelFuture f) -> outcome.complete(f.cause()));
                    ctx.writeAndFlush(Unpooled.copiedBuffer("|after", US_ASCII)).addListener(ChannelFutureListener.CLOSE);
                }));
            });
            byte[] received;
            try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
                Throwable failure = outcome.get(60, TimeUnit.SECONDS);
                assertInstanceOf(OutOfMemoryError.class, failure, "the region's promise: " + failure);
                received = socket.getInputStream().readAllBytes();
            }
            assertEquals("before||after", new String(received, US_ASCII), "nothing of the region was sent");
            assertEquals(1, allocator.failed());
            AioFileHandler handler = handlers.get(0);
            Fixtures.await(() -> handler.chunksHeld() == 0, () -> "chunks still held: " + handler.chunksHeld());
        }
    }

    @Test
    void aReadBufferThatCannotBeAllocatedFailsTheReaderWithAnIOException() throws Exception {
        Path path = Fixtures.randomFile(dir, "f", 100_000, 71);
        FailingAllocator allocator = new FailingAllocator().failDirect(CHUNK, 1);
        try (Rig rig = new Rig(1)) {
            CompletableFuture<Throwable> failure = new CompletableFuture<>();
            InetSocketAddress address = rig.serve(p -> {
                p.channel().config().setOption(ChannelOption.ALLOCATOR, allocator);
                p.addLast(new AioFileReader(rig.loops, AioFileRegion.of(path.toString(), 0, AioFileRegion.TO_END), CHUNK, true),
                        new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ((ByteBuf) msg).release();
                            }

                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                failure.complete(cause);
                                ctx.close();
                            }
                        });
            });
            try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
                Throwable cause = failure.get(60, TimeUnit.SECONDS);
                assertInstanceOf(IOException.class, cause);
                assertInstanceOf(OutOfMemoryError.class, cause.getCause());
                assertEquals(-1, socket.getInputStream().read(), "the channel closed");
            }
        }
    }

    @Test
    void aGatherBufferThatCannotBeAllocatedFailsTheUploadAndReleasesItsInput() throws Exception {
        Path target = dir.resolve("upload");
        FailingAllocator allocator = new FailingAllocator();
        try (Rig rig = new Rig(1)) {
            List<AioFileWriter> writers = new CopyOnWriteArrayList<>();
            CompletableFuture<Throwable> caught = new CompletableFuture<>();
            InetSocketAddress address = rig.serve(p -> {
                p.channel().config().setOption(ChannelOption.ALLOCATOR, allocator);
                AioFileWriter writer = new AioFileWriter(rig.loops, target.toString());
                writers.add(writer);
                p.addLast(new ChannelInboundHandlerAdapter() {
                    /** Each input as a composite of two halves, which the writer gathers into one buffer. */
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ByteBuf buf = (ByteBuf) msg;
                        int half = buf.readableBytes() / 2;
                        CompositeByteBuf composite = ctx.alloc().compositeBuffer(2)
                                .addComponent(true, buf.readRetainedSlice(half)).addComponent(true, buf);
                        allocator.failDirect(composite.readableBytes(), 1);
                        ctx.fireChannelRead(composite);
                    }
                }, writer, new ChannelInboundHandlerAdapter() {
                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        caught.complete(cause);
                    }
                });
            });
            try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
                socket.getOutputStream().write("some bytes to upload".getBytes(US_ASCII));
                Throwable cause = caught.get(60, TimeUnit.SECONDS);
                assertInstanceOf(OutOfMemoryError.class, cause.getCause(), "exceptionCaught: " + cause);
            }
            ExecutionException done = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> writers.get(0).done().get(60, TimeUnit.SECONDS));
            assertInstanceOf(OutOfMemoryError.class, done.getCause().getCause(), "done: " + done.getCause());
            assertTrue(allocator.failed() >= 1);
            assertTrue(Files.size(target) < 20, "nothing more than what was written before the failure");
        }
    }
}
