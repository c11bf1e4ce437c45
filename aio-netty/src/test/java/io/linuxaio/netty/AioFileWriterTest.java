package io.linuxaio.netty;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linuxaio.AioContext;
import io.linuxaio.AioException;
import io.linuxaio.AioFile;
import io.linuxaio.Fcntl;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.OutputStream;
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

class AioFileWriterTest {
    @TempDir
    Path dir;

    /** A server that writes each connection's input to {@code target}. */
    private static InetSocketAddress serveUploads(Rig rig, Path target, List<AioFileWriter> writers) {
        return rig.serve(p -> {
            AioFileWriter writer = new AioFileWriter(rig.loops, target.toString());
            writers.add(writer);
            p.addLast(writer);
        });
    }

    @Test
    void anUploadIsWrittenToDiskByteExact() throws Exception {
        Path source = Fixtures.randomFile(dir, "source", 16L << 20, 30);
        Path target = dir.resolve("upload");
        try (Rig rig = new Rig(2)) {
            List<AioFileWriter> writers = new CopyOnWriteArrayList<>();
            InetSocketAddress address = serveUploads(rig, target, writers);
            try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
                Files.copy(source, socket.getOutputStream());
            }
            assertEquals(16L << 20, writers.get(0).done().get(60, TimeUnit.SECONDS));
            assertEquals(-1, Files.mismatch(source, target), "the upload differs from what was sent");
        }
    }

    @Test
    void autoReadIsOffWhileAWriteIsPending() throws Exception {
        Path target = dir.resolve("upload");
        try (Rig rig = new Rig(1)) {
            List<AioFileWriter> writers = new CopyOnWriteArrayList<>();
            InetSocketAddress address = serveUploads(rig, target, writers);
            try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
                Channel ch = rig.nextAccepted();
                AioContext context = rig.loops.forChannel(ch);
                OutputStream out = socket.getOutputStream();
                out.write("first".getBytes(US_ASCII));
                out.flush();
                // The open, then the write: while either waits, the channel must not read.
                Fixtures.await(() -> Fixtures.onLoop(ch, () -> context.nreqs() == 0 && ch.config().isAutoRead()),
                        () -> "auto-read not back on after the first write");
                rig.aio.maxParallel(0); // from now on requests wait in the queue
                out.write("second".getBytes(US_ASCII));
                out.flush();
                Fixtures.await(() -> Fixtures.onLoop(ch, () -> context.nreqs() == 1), () -> "the second write was not submitted");
                assertFalse(Fixtures.onLoop(ch, () -> ch.config().isAutoRead()), "auto-read stays on while a write is pending");
                out.write("third".getBytes(US_ASCII));
                out.flush();
                rig.aio.maxParallel(io.linuxaio.LinuxAio.DEFAULT_MAX_PARALLEL);
                Fixtures.await(() -> Fixtures.onLoop(ch, () -> context.nreqs() == 0 && ch.config().isAutoRead()),
                        () -> "auto-read not back on once the write finished");
            }
            assertEquals(16, writers.get(0).done().get(60, TimeUnit.SECONDS));
            assertEquals("firstsecondthird", Files.readString(target, US_ASCII));
        }
    }

    @Test
    void aHalfCloseEndsTheUploadAndTheServerCanAnswer() throws Exception {
        Path target = dir.resolve("upload");
        byte[] payload = new byte[3 << 20];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 31 + (i >>> 11));
        }
        try (Rig rig = new Rig(1)) {
            CompletableFuture<Boolean> onLoop = new CompletableFuture<>();
            InetSocketAddress address = rig.serve(p -> {
                AioFileWriter writer = new AioFileWriter(rig.loops, target.toString());
                p.addLast(writer);
                writer.done().whenComplete((bytes, error) -> {
                    onLoop.complete(p.channel().eventLoop().inEventLoop());
                    p.channel().writeAndFlush(Unpooled.copiedBuffer("stored " + bytes, US_ASCII))
                            .addListener(ChannelFutureListener.CLOSE);
                });
            }, true);
            String answer;
            try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
                socket.getOutputStream().write(payload);
                socket.shutdownOutput();
                answer = new String(socket.getInputStream().readAllBytes(), US_ASCII);
            }
            assertEquals("stored " + payload.length, answer);
            assertTrue(onLoop.get(60, TimeUnit.SECONDS), "done completes on the channel's loop");
            assertArrayEquals(payload, Files.readAllBytes(target));
        }
    }

    @Test
    void anOpenFileIsWrittenFromItsPositionAndStaysOpen() throws Exception {
        Path target = dir.resolve("existing");
        Files.writeString(target, "0123456789", US_ASCII);
        try (Rig rig = new Rig(1)) {
            AioContext context = rig.loops.forLoop(rig.group.next());
            AioFile file = context.open(target.toString(), Fcntl.O_WRONLY, 0, null).future().get(60, TimeUnit.SECONDS);
            AioFileWriter writer = new AioFileWriter(rig.loops, file, 4);
            InetSocketAddress address = rig.serve(p -> p.addLast(writer));
            try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
                socket.getOutputStream().write("abc".getBytes(US_ASCII));
            }
            assertEquals(3, writer.done().get(60, TimeUnit.SECONDS));
            assertFalse(file.isClosed(), "the caller's file stays open");
            context.close(file, null).future().get(60, TimeUnit.SECONDS);
            assertEquals("0123abc789", Files.readString(target, US_ASCII));
        }
    }

    @Test
    void aFailedOpenFailsDoneAndReachesExceptionCaught() throws Exception {
        try (Rig rig = new Rig(1)) {
            List<AioFileWriter> writers = new CopyOnWriteArrayList<>();
            CompletableFuture<Throwable> caught = new CompletableFuture<>();
            InetSocketAddress address = rig.serve(p -> {
                AioFileWriter writer = new AioFileWriter(rig.loops, dir.resolve("no/such/dir/f").toString());
                writers.add(writer);
                p.addLast(writer, new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ((ByteBuf) msg).release();
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        caught.complete(cause);
                    }
                });
            });
            try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
                rig.nextAccepted();
                socket.getOutputStream().write(new byte[100_000]);
                // While the channel is open its pipeline is intact, so the failure reaches our handler.
                assertEquals("ENOENT", assertInstanceOf(AioException.class, caught.get(60, TimeUnit.SECONDS)).errnoName());
            }
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> writers.get(0).done().get(60, TimeUnit.SECONDS));
            assertEquals("ENOENT", assertInstanceOf(AioException.class, e.getCause()).errnoName());
        }
    }

}
