package io.linuxaio.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linuxaio.AioContext;
import io.linuxaio.AioFile;
import io.linuxaio.Fcntl;
import io.linuxaio.LinuxAio;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AioEventLoopsTest {
    @TempDir
    Path dir;

    @Test
    void requestsForAChannelCompleteOnThatChannelsLoop() throws Exception {
        Path file = Fixtures.randomFile(dir, "f", 100_000, 1);
        try (Rig rig = new Rig(3)) {
            int channels = 24;
            List<CompletableFuture<String>> outcomes = new ArrayList<>();
            for (int i = 0; i < channels; i++) {
                outcomes.add(new CompletableFuture<>());
            }
            AtomicInteger next = new AtomicInteger();
            InetSocketAddress address = rig.serve(p -> p.addLast(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelActive(ChannelHandlerContext ctx) {
                    CompletableFuture<String> outcome = outcomes.get(next.getAndIncrement());
                    Channel ch = ctx.channel();
                    AioContext aio = rig.loops.forChannel(ch);
                    // open, read, close: each callback must find itself on the channel's loop.
                    aio.open(file.toString(), Fcntl.O_RDONLY, 0, (f, openError) -> {
                        String where = check(ch, "open");
                        ByteBuffer dst = ByteBuffer.allocateDirect(4096);
                        aio.read(f, 1000, dst, (n, readError) -> {
                            String w2 = where + check(ch, "read") + (n == 4096 ? "" : " read " + n);
                            aio.close(f, (v, closeError) -> outcome.complete(w2 + check(ch, "close")));
                        });
                    });
                }
            }));
            List<Socket> sockets = new ArrayList<>();
            try {
                for (int i = 0; i < channels; i++) {
                    sockets.add(new Socket(address.getAddress(), address.getPort()));
                }
                Set<EventExecutor> loopsUsed = new HashSet<>();
                for (int i = 0; i < channels; i++) {
                    assertEquals("", outcomes.get(i).get(60, TimeUnit.SECONDS));
                }
                for (Channel ch : rig.accepted) {
                    loopsUsed.add(ch.eventLoop());
                    assertSame(rig.loops.forLoop(ch.eventLoop()), rig.loops.forChannel(ch));
                }
                assertEquals(3, loopsUsed.size(), "the channels were spread over every loop");
            } finally {
                for (Socket s : sockets) {
                    s.close();
                }
            }
        }
    }

    private static String check(Channel ch, String call) {
        boolean onLoop = ch.eventLoop().inEventLoop();
        String thread = Thread.currentThread().getName();
        return onLoop && thread.startsWith(Rig.LOOP_PREFIX) ? "" : " " + call + " callback ran on " + thread;
    }

    @Test
    void eachLoopHasItsOwnContextAndEventFd() throws Exception {
        try (Rig rig = new Rig(4)) {
            Set<Integer> fds = new HashSet<>();
            Set<AioContext> contexts = new HashSet<>();
            for (EventExecutor loop : rig.group) {
                AioContext context = rig.loops.forLoop((EventLoop) loop);
                contexts.add(context);
                fds.add(context.pollFileno());
                assertNotEquals(rig.aio.pollFileno(), context.pollFileno());
            }
            assertEquals(4, contexts.size());
            assertEquals(4, fds.size());
            assertSame(rig.aio, rig.loops.engine());
        }
    }

    @Test
    void aLoopOfAnotherGroupIsRefused() throws Exception {
        EventLoopGroup other = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try (Rig rig = new Rig(1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> rig.loops.forLoop(other.next()));
            assertTrue(e.getMessage().contains("not a loop"), e.getMessage());
        } finally {
            other.shutdownGracefully(0, 10, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void aGroupThatIsNotEpollIsRefusedClearly() throws Exception {
        long eventFdsBefore = Fixtures.eventFds();
        EventLoopGroup nio = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        EventLoopGroup plain = new DefaultEventLoopGroup(1);
        try (LinuxAio aio = new LinuxAio()) {
            for (EventLoopGroup group : List.of(nio, plain)) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> AioEventLoops.register(group, aio));
                assertTrue(e.getMessage().contains("EpollIoHandler.newFactory()"), e.getMessage());
            }
        } finally {
            nio.shutdownGracefully(0, 10, TimeUnit.SECONDS).sync();
            plain.shutdownGracefully(0, 10, TimeUnit.SECONDS).sync();
        }
        Fixtures.await(() -> Fixtures.eventFds() == eventFdsBefore, () -> "eventfds left: " + Fixtures.openFds());
    }

    @Test
    void registerRefusesAClosedEngineOrAGroupShuttingDown() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try {
            LinuxAio closed = new LinuxAio();
            closed.close();
            assertThrows(IllegalStateException.class, () -> AioEventLoops.register(group, closed));
            group.shutdownGracefully(0, 10, TimeUnit.SECONDS);
            try (LinuxAio aio = new LinuxAio()) {
                assertThrows(IllegalStateException.class, () -> AioEventLoops.register(group, aio));
            }
        } finally {
            group.shutdownGracefully(0, 10, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void theLoopPollsAgainWhenPollCbStopsEarly() throws Exception {
        try (Rig rig = new Rig(1)) {
            EventLoop loop = (EventLoop) rig.group.next();
            AioContext context = rig.loops.forLoop(loop);
            context.maxPollReqs(1); // each readiness runs one callback; the level-triggered fd must fire again
            int requests = 200;
            AtomicInteger onLoop = new AtomicInteger();
            CompletableFuture<Void> all = new CompletableFuture<>();
            AtomicInteger ran = new AtomicInteger();
            for (int i = 0; i < requests; i++) {
                context.stat(dir.toString(), (stat, error) -> {
                    if (loop.inEventLoop() && error == null) {
                        onLoop.incrementAndGet();
                    }
                    if (ran.incrementAndGet() == requests) {
                        all.complete(null);
                    }
                });
            }
            all.get(60, TimeUnit.SECONDS);
            assertEquals(requests, onLoop.get());
        }
    }

    @Test
    void closeRunsEveryOutstandingCallbackOnItsLoopAndLeavesNothingOpen() throws Exception {
        long eventFdsBefore = Fixtures.eventFds();
        LinuxAio aio = new LinuxAio();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
        AioEventLoops loops = AioEventLoops.register(group, aio);
        assertEquals(eventFdsBefore + 1 + 2 + 2, Fixtures.eventFds(),
                "one eventfd for the engine, one per context, and one of Netty's own per loop");
        ConcurrentLinkedQueue<String> offLoop = new ConcurrentLinkedQueue<>();
        AtomicInteger ran = new AtomicInteger();
        int perLoop = 500;
        List<AioContext> contexts = new ArrayList<>();
        for (EventExecutor executor : group) {
            EventLoop loop = (EventLoop) executor;
            AioContext context = loops.forLoop(loop);
            contexts.add(context);
            for (int i = 0; i < perLoop; i++) {
                context.stat(dir.toString(), (stat, error) -> {
                    ran.incrementAndGet();
                    if (!loop.inEventLoop()) {
                        offLoop.add(Thread.currentThread().getName());
                    }
                });
            }
        }
        loops.close();
        assertEquals(2 * perLoop, ran.get(), "every callback ran before close returned");
        assertTrue(offLoop.isEmpty(), "callbacks ran off their loop: " + offLoop);
        for (AioContext context : contexts) {
            assertTrue(context.isClosed());
            assertEquals(0, context.nreqs());
        }
        assertThrows(IllegalStateException.class, () -> loops.forLoop(group.next()));
        loops.close(); // again: nothing to do
        assertEquals(eventFdsBefore + 1 + 2, Fixtures.eventFds(), "the contexts' eventfds are closed");
        group.shutdownGracefully(0, 10, TimeUnit.SECONDS).sync();
        aio.close();
        Fixtures.await(() -> Fixtures.aioWorkers().isEmpty(), () -> "workers left: " + Fixtures.aioWorkers());
        Fixtures.await(() -> Fixtures.eventFds() == eventFdsBefore, () -> "eventfds left: " + Fixtures.openFds());
    }

    /**
     * The engine closed first, while its loops still run and requests are outstanding on them: the
     * engine hands each context's drain to its loop, so every callback still runs there.
     */
    @Test
    void closingTheEngineFirstRunsEveryCallbackOnItsOwnLoop() throws Exception {
        long eventFdsBefore = Fixtures.eventFds();
        LinuxAio aio = new LinuxAio();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
        AioEventLoops loops = AioEventLoops.register(group, aio);
        aio.inline(false);
        aio.maxParallel(0); // every request below waits in the queue until the close
        ConcurrentLinkedQueue<String> offLoop = new ConcurrentLinkedQueue<>();
        AtomicInteger ran = new AtomicInteger();
        int perLoop = 2_000;
        for (EventExecutor executor : group) {
            EventLoop loop = (EventLoop) executor;
            AioContext context = loops.forLoop(loop);
            for (int i = 0; i < perLoop; i++) {
                context.stat(dir.toString(), (stat, error) -> {
                    ran.incrementAndGet();
                    if (!loop.inEventLoop()) {
                        offLoop.add(Thread.currentThread().getName());
                    }
                });
            }
        }
        assertEquals(0, ran.get(), "nothing ran before the close");
        aio.close(); // the engine first: AioEventLoops and the group are still open
        assertEquals(2 * perLoop, ran.get(), "every callback ran before the engine's close returned");
        assertTrue(offLoop.isEmpty(), () -> offLoop.size() + " callbacks ran off their loop, on " + new HashSet<>(offLoop));
        assertThrows(IllegalStateException.class, () -> loops.forLoop(group.next()).stat(dir.toString(), null));
        loops.close(); // nothing left to do, and no fd Netty still watches was closed under it
        group.shutdownGracefully(0, 10, TimeUnit.SECONDS).sync();
        Fixtures.await(() -> Fixtures.aioWorkers().isEmpty(), () -> "workers left: " + Fixtures.aioWorkers());
        Fixtures.await(() -> Fixtures.eventFds() == eventFdsBefore, () -> "eventfds left: " + Fixtures.openFds());
    }

    @Test
    void closeWorksOnceTheGroupIsShuttingDownOrGone() throws Exception {
        for (boolean waitForTermination : new boolean[] {false, true}) {
            long eventFdsBefore = Fixtures.eventFds();
            LinuxAio aio = new LinuxAio();
            EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
            AioEventLoops loops = AioEventLoops.register(group, aio);
            AtomicInteger ran = new AtomicInteger();
            List<AioContext> contexts = new ArrayList<>();
            for (EventExecutor executor : group) {
                AioContext context = loops.forLoop((EventLoop) executor);
                contexts.add(context);
                for (int i = 0; i < 100; i++) {
                    context.stat(dir.toString(), (stat, error) -> ran.incrementAndGet());
                }
            }
            io.netty.util.concurrent.Future<?> shutdown = group.shutdownGracefully(0, 10, TimeUnit.SECONDS);
            if (waitForTermination) {
                shutdown.sync();
            }
            loops.close();
            assertEquals(200, ran.get(), "every callback ran");
            for (AioContext context : contexts) {
                assertTrue(context.isClosed());
            }
            shutdown.sync();
            aio.close();
            Fixtures.await(() -> Fixtures.aioWorkers().isEmpty(), () -> "workers left: " + Fixtures.aioWorkers());
            Fixtures.await(() -> Fixtures.eventFds() == eventFdsBefore, () -> "eventfds left: " + Fixtures.openFds());
        }
    }

    @Test
    void closeOnOneOfTheGroupsLoopsIsRefused() throws Exception {
        try (Rig rig = new Rig(1)) {
            EventLoop loop = (EventLoop) rig.group.next();
            Throwable thrown = loop.submit(() -> {
                try {
                    rig.loops.close();
                    return null;
                } catch (IllegalStateException e) {
                    return e;
                }
            }).get(60, TimeUnit.SECONDS);
            assertTrue(thrown instanceof IllegalStateException, "close on a loop must throw, got " + thrown);
            // Still open and working afterwards.
            AioFile file = rig.loops.forLoop(loop).open(dir.resolve("x").toString(),
                    Fcntl.O_WRONLY | Fcntl.O_CREAT, 0600, null).future().get(60, TimeUnit.SECONDS);
            rig.loops.forLoop(loop).close(file, null).future().get(60, TimeUnit.SECONDS);
            assertFalse(rig.loops.forLoop(loop).isClosed());
        }
    }
}
