package io.linuxaio;

import java.util.concurrent.Executor;

/**
 * The event loop that polls one completion context: the one thread its callbacks run on. A binding
 * to an event loop (aio-netty's {@code AioEventLoops}) makes its contexts with
 * {@link LinuxAio#newContext(AioPoller)} and watches each context's {@code pollFileno()} on the
 * loop, calling {@code pollCb()} there.
 *
 * <p>With a poller, a context keeps its callbacks on that thread even while it closes: a
 * {@code close()} called anywhere else, by the program or by the engine's own close, hands the
 * drain to the poller with {@link #execute} and waits for it. A poller that stops taking tasks must
 * close its contexts itself as it stops (an event loop shutting down closes what it watches).
 *
 * <p>A request completed on the poller's thread outside a pollCb is delivered by a pollCb task
 * handed to {@link #execute}, which costs no system call where the loop takes its own tasks
 * without a wakeup. An open for reading made there waits for that task and is made as it starts,
 * with every other open made meanwhile, in one {@code io_uring_enter}: a poller should run its
 * tasks once each pass of its I/O is done, as Netty's event loops do.
 */
public interface AioPoller extends Executor {
    /**
     * Whether the calling thread may poll the context: it is the poller's thread, or the poller
     * has stopped for good, so that no other thread will ever poll it again.
     */
    boolean inPoller();

    /**
     * On the poller's thread, as the context closes: after its last callback and before its eventfd
     * is closed. Stop watching the fd here (an epoll set keys its watches by fd number, and the
     * number may be reused as soon as it is closed).
     */
    void closing(AioContext context);
}
