package io.linuxaio.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.linuxaio.LinuxAio;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One test's server side: an engine, an epoll group whose threads are named {@value #LOOP_PREFIX}*,
 * the {@link AioEventLoops} joining them, and servers on 127.0.0.1. {@link #close()} shuts it all
 * down in the documented order and checks that no eventfd and no worker thread is left behind.
 */
final class Rig implements AutoCloseable {
    static final String LOOP_PREFIX = "aio-test-loop";

    final long eventFdsBefore = Fixtures.eventFds();
    final long ringsBefore = Fixtures.rings();
    final LinuxAio aio = new LinuxAio();
    final EventLoopGroup group;
    final AioEventLoops loops;
    /** Every channel the servers accepted, in the order they were initialised. */
    final BlockingQueue<SocketChannel> accepted = new LinkedBlockingQueue<>();
    private final List<Channel> servers = new CopyOnWriteArrayList<>();

    Rig(int nLoops) {
        group = new MultiThreadIoEventLoopGroup(nLoops, new DefaultThreadFactory(LOOP_PREFIX), EpollIoHandler.newFactory());
        loops = AioEventLoops.register(group, aio);
    }

    /** A server on 127.0.0.1 whose accepted channels get {@code pipeline} applied; returns its address. */
    InetSocketAddress serve(Consumer<ChannelPipeline> pipeline) {
        return serve(pipeline, false);
    }

    InetSocketAddress serve(Consumer<ChannelPipeline> pipeline, boolean halfClosure) {
        ChannelFuture bound = new ServerBootstrap()
                .group(group)
                .channel(EpollServerSocketChannel.class)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, halfClosure)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        pipeline.accept(ch.pipeline());
                        accepted.add(ch);
                    }
                })
                .bind("127.0.0.1", 0)
                .syncUninterruptibly();
        servers.add(bound.channel());
        return (InetSocketAddress) bound.channel().localAddress();
    }

    SocketChannel nextAccepted() throws InterruptedException {
        SocketChannel ch = accepted.poll(Fixtures.DEADLINE.toSeconds(), TimeUnit.SECONDS);
        if (ch == null) {
            throw new AssertionError("no connection accepted within " + Fixtures.DEADLINE);
        }
        return ch;
    }

    @Override
    public void close() throws InterruptedException {
        for (Channel server : servers) {
            if (!server.eventLoop().isShuttingDown()) { // else the group's shutdown closes it
                server.close().sync();
            }
        }
        loops.close();
        group.shutdownGracefully(0, 10, TimeUnit.SECONDS).sync();
        aio.close();
        Fixtures.await(() -> Fixtures.aioWorkers().isEmpty(), () -> "aio-worker threads left: " + Fixtures.aioWorkers());
        Fixtures.await(() -> Fixtures.eventFds() == eventFdsBefore,
                () -> "eventfds: " + Fixtures.eventFds() + ", before the test " + eventFdsBefore);
        Fixtures.await(() -> Fixtures.rings() == ringsBefore, // the contexts' batched-read rings close with them
                () -> "io_uring instances: " + Fixtures.rings() + ", before the test " + ringsBefore);
        assertEquals(0, aio.nreqs());
    }
}
