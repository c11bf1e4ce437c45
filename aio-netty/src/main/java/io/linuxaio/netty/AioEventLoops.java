package io.linuxaio.netty;

import io.linuxaio.AioContext;
import io.linuxaio.LinuxAio;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One completion context of a {@link LinuxAio} engine per event loop of an epoll group, each
 * watched by its own loop: a request made on {@link #forChannel(Channel) forChannel(ch)} completes
 * with its callback running on {@code ch.eventLoop()}'s thread, inside that loop's {@code pollCb},
 * with no hop through any other thread. The file system calls themselves run on the engine's
 * worker threads, never on a loop.
 *
 * <pre>{@code
 * EventLoopGroup group = new MultiThreadIoEventLoopGroup(n, EpollIoHandler.newFactory());
 * LinuxAio aio = new LinuxAio();
 * AioEventLoops loops = AioEventLoops.register(group, aio);
 * ...
 * loops.close();                         // then
 * group.shutdownGracefully().sync();     // in either order, and then
 * aio.close();
 * }</pre>
 *
 * <p>Only Netty's native epoll transport is supported: each context's eventfd joins the loop's
 * epoll set as an {@link io.netty.channel.epoll.EpollIoHandle}. A NIO or any other group is refused
 * with an {@link IllegalArgumentException}.
 *
 * <p>Thread-safe. Callbacks run on their loop even while contexts close, whichever is closed
 * first: this, the group or the engine (the engine's close, or its drain at JVM exit, hands each
 * context's drain to its loop).
 */
public final class AioEventLoops implements AutoCloseable {
    private final LinuxAio engine;
    private final Map<EventExecutor, LoopBinding> bindings;
    private volatile boolean closed; // written under this

    private AioEventLoops(LinuxAio engine, Map<EventExecutor, LoopBinding> bindings) {
        this.engine = engine;
        this.bindings = bindings;
    }

    /**
     * Opens one context of {@code aio} per loop of {@code group} and registers its eventfd with that
     * loop. Blocks until every loop has taken its registration, so call it from outside the group's
     * loops.
     *
     * @param group made with {@code new MultiThreadIoEventLoopGroup(n, EpollIoHandler.newFactory())}
     * @throws IllegalArgumentException if {@code group} is not an epoll group
     * @throws IllegalStateException if the group is shutting down or the engine is closed
     */
    public static AioEventLoops register(EventLoopGroup group, LinuxAio aio) {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(aio, "aio");
        List<IoEventLoop> loops = new ArrayList<>();
        for (EventExecutor executor : group) {
            if (!(executor instanceof IoEventLoop loop) || !loop.isCompatible(LoopBinding.class)) {
                throw new IllegalArgumentException("AioEventLoops needs an epoll event loop group, made with new "
                        + MultiThreadIoEventLoopGroup.class.getSimpleName() + "(n, "
                        + EpollIoHandler.class.getSimpleName() + ".newFactory()); this group's loops are "
                        + executor.getClass().getName()
                        + (executor instanceof IoEventLoop ? " with another IoHandler" : ""));
            }
            loops.add(loop);
        }
        if (group.isShuttingDown()) {
            throw new IllegalStateException("the event loop group is shutting down");
        }
        Map<EventExecutor, LoopBinding> bindings = new IdentityHashMap<>();
        boolean done = false;
        try {
            for (IoEventLoop loop : loops) {
                LoopBinding binding = LoopBinding.open(loop, aio);
                bindings.put(loop, binding);
                binding.register();
            }
            done = true;
        } finally {
            if (!done) {
                closeAll(bindings.values());
            }
        }
        return new AioEventLoops(aio, Collections.unmodifiableMap(bindings));
    }

    /**
     * The context whose callbacks run on {@code channel.eventLoop()}.
     *
     * @throws IllegalStateException if the channel is not registered yet, or this is closed
     * @throws IllegalArgumentException if the channel's loop is not one of this group's
     */
    public AioContext forChannel(Channel channel) {
        return forLoop(channel.eventLoop());
    }

    /**
     * The context whose callbacks run on {@code loop}.
     *
     * @throws IllegalArgumentException if {@code loop} is not one of this group's loops
     * @throws IllegalStateException if this is closed
     */
    public AioContext forLoop(EventLoop loop) {
        LoopBinding binding = bindings.get(Objects.requireNonNull(loop, "loop"));
        if (binding == null) {
            throw new IllegalArgumentException(loop + " is not a loop of this AioEventLoops' group");
        }
        if (closed) {
            throw new IllegalStateException("AioEventLoops is closed");
        }
        return binding.context();
    }

    /** The engine whose workers serve every context. */
    public LinuxAio engine() {
        return engine;
    }

    /**
     * Closes each loop's context on that loop: its registration is cancelled there and every
     * callback still outstanding runs there, on the loop, as all its callbacks do. A loop that has
     * shut down closed its context itself as it went. Blocks until every context is closed;
     * calling it again does nothing. Closing the engine first does the same for every loop.
     *
     * @throws IllegalStateException if called on one of the group's loops, which would wait for itself
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        for (LoopBinding binding : bindings.values()) {
            if (binding.loop().inEventLoop()) {
                throw new IllegalStateException("close AioEventLoops from outside its group's event loops");
            }
        }
        closed = true;
        closeAll(bindings.values());
    }

    private static void closeAll(Iterable<LoopBinding> bindings) {
        for (LoopBinding binding : bindings) {
            binding.context().close();
        }
    }

    @Override
    public String toString() {
        return "AioEventLoops(" + bindings.size() + " loops, " + engine + ")";
    }
}
