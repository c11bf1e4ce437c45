package io.linuxaio.netty;

import io.linuxaio.AioContext;
import io.linuxaio.AioPoller;
import io.linuxaio.LinuxAio;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;

/**
 * One completion context watched by one epoll event loop, and that loop as the context's
 * {@link AioPoller}: the loop calls {@code pollCb} whenever the context's eventfd is readable, so
 * the context's callbacks run on the loop's thread, and a close from anywhere (the program, the
 * engine's own close, the JVM exit hook) drains the context on the loop too.
 *
 * <p>The engine calls {@link #closing} on the loop after the context's last callback and before it
 * closes the eventfd: the registration is cancelled there, since the loop keys its registrations by
 * fd number and a closed number may be reused at once. When the loop shuts down it closes what it
 * watches ({@link #close()}), which closes the context on the loop as it goes.
 */
final class LoopBinding implements EpollIoHandle, AioPoller {
    private final IoEventLoop loop;
    private AioContext context; // set once, right after construction
    private FileDescriptor fd;
    private volatile IoRegistration registration;

    private LoopBinding(IoEventLoop loop) {
        this.loop = loop;
    }

    /** A new context of {@code aio} polled by {@code loop}; not yet watched (see {@link #register()}). */
    static LoopBinding open(IoEventLoop loop, LinuxAio aio) {
        LoopBinding binding = new LoopBinding(loop);
        binding.context = aio.newContext(binding);
        binding.fd = new BorrowedFd(binding.context.pollFileno());
        return binding;
    }

    /** From a thread outside the loop: registers with the loop and starts watching for readability. */
    void register() {
        IoRegistration r = loop.register(this).syncUninterruptibly().getNow();
        registration = r;
        // Level-triggered: if pollCb leaves results behind (maxPollReqs), the loop calls again.
        // After a cancel (the loop shutting down meanwhile) submit does nothing.
        r.submit(EpollIoOps.EPOLLIN);
    }

    IoEventLoop loop() {
        return loop;
    }

    AioContext context() {
        return context;
    }

    // ---------------------------------------------------------------- AioPoller

    @Override
    public void execute(Runnable task) {
        loop.execute(task);
    }

    /**
     * The loop's own thread; or any thread before the loop watches the context (nothing was
     * submitted through it yet) or once the loop has terminated (nothing runs there any more).
     */
    @Override
    public boolean inPoller() {
        return registration == null || loop.inEventLoop() || loop.isTerminated();
    }

    /**
     * On the loop, before the context closes its eventfd: stop watching it. After the loop has
     * terminated (it may stop without closing what it watches: Netty 4.2 skips that when a
     * shutdown with no quiet period begins while it runs tasks), its epoll set is gone already,
     * and there is nothing to cancel or anyone to do it.
     */
    @Override
    public void closing(AioContext closingContext) {
        IoRegistration r = registration;
        if (r != null && loop.inEventLoop()) {
            r.cancel(); // on the loop this removes the fd from epoll before returning
        }
    }

    // ---------------------------------------------------------------- EpollIoHandle

    @Override
    public FileDescriptor fd() {
        return fd;
    }

    /** On the loop: completions wait. */
    @Override
    public void handle(IoRegistration registration, IoEvent event) {
        context.pollCb();
    }

    /** Netty calls this on the loop as the loop shuts down: the context closes here, on its loop. */
    @Override
    public void close() {
        context.close();
    }

    @Override
    public String toString() {
        return "LoopBinding(" + context + " on " + loop + ")";
    }

    /**
     * The context's eventfd as Netty sees it. The context owns the descriptor and closes it after
     * {@link #closing}, so closing this view never closes it.
     */
    private static final class BorrowedFd extends FileDescriptor {
        BorrowedFd(int fd) {
            super(fd);
        }

        @Override
        public void close() {
            // Owned by the AioContext.
        }
    }
}
