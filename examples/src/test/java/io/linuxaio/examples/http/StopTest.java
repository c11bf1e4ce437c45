package io.linuxaio.examples.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** Stopping the server whatever state its event loops are in. */
class StopTest {

    @Test
    void closeStopsTheServerEvenWhenAnEventLoopHasDied() throws Exception {
        try (TestSite site = new TestSite()) {
            FileServer server = FileServer.builder(site.root).port(0).threads(2).start();
            InetSocketAddress address = server.localAddress();
            IoEventLoop dying = (IoEventLoop) server.listenerLoop();
            try (RawHttp first = new RawHttp(address); RawHttp second = new RawHttp(address)) {
                // Two connections, so one is on the listener's loop, which is the one to die.
                assertEquals(200, first.get("/hello.txt").status());
                assertEquals(200, second.get("/hello.txt").status());
                kill(dying);
                await(dying::isTerminated);

                // Were close() to wait for connections that cannot finish, this would take a day.
                CompletableFuture<Throwable> closed = new CompletableFuture<>();
                Thread closer = new Thread(() -> {
                    try {
                        server.close(Duration.ofDays(1));
                        closed.complete(null);
                    } catch (Throwable t) {
                        closed.complete(t);
                    }
                }, "closer");
                closer.start();
                assertNull(closed.get(60, TimeUnit.SECONDS), "close() threw");
                assertTrue(first.closedByServer());
                assertTrue(second.closedByServer());
            }
            assertThrows(ConnectException.class, () -> new RawHttp(address).close(), "no longer listening");
        }
    }

    /** Makes {@code loop} throw an Error out of its I/O handling, which ends its thread, as Netty rethrows Errors. */
    private static void kill(IoEventLoop loop) throws Exception {
        FileDescriptor[] pipe = FileDescriptor.pipe();
        EpollIoHandle bomb = new EpollIoHandle() {
            @Override
            public FileDescriptor fd() {
                return pipe[0];
            }

            @Override
            public void handle(IoRegistration registration, IoEvent event) {
                throw new Error("test: this event loop dies");
            }

            @Override
            public void close() throws Exception {
                pipe[0].close();
                pipe[1].close();
            }
        };
        IoRegistration registration = loop.register(bomb).sync().getNow();
        registration.submit(EpollIoOps.EPOLLIN);
        ByteBuffer one = ByteBuffer.allocateDirect(1).put((byte) 1).flip();
        pipe[1].write(one, 0, 1);
    }

    private static void await(java.util.function.BooleanSupplier condition) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("the event loop did not die");
            }
            LockSupport.parkNanos(1_000_000);
        }
    }
}
