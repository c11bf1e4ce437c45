package io.linuxaio.netty;

import io.linuxaio.AioContext;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.unix.FileDescriptor;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One completion context watched by one epoll event loop: the loop calls {@code pollCb} whenever
 * the context's eventfd is readable, so the context's callbacks run on that loop's thread.
 *
 * <p>Closing cancels the registration before the context closes its eventfd: the loop keys its
 * registrations by fd number, so an fd closed while registered could take a reused number's events.
 * {@link #closeHere()} runs on the loop (Netty calls {@link #close()} there when the loop shuts
 * down), or on another thread only once the loop has terminated.
 */
final class LoopBinding implements EpollIoHandle {
    private final IoEventLoop loop;
    private final AioContext context;
    private final BorrowedFd fd;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private volatile IoRegistration registration;

    LoopBinding(IoEventLoop loop, AioContext context) {
        this.loop = loop;
        this.context = context;
        this.fd = new BorrowedFd(context.pollFileno());
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

    @Override
    public FileDescriptor fd() {
        return fd;
    }

    /** On the loop: completions wait. */
    @Override
    public void handle(IoRegistration registration, IoEvent event) {
        context.pollCb();
    }

    /** Netty calls this on the loop as the loop shuts down, after cancelling the registration. */
    @Override
    public void close() {
        closeHere();
    }

    /**
     * Asks the loop to close this binding. If the loop no longer takes tasks it is shutting down and
     * closes every registered handle itself; {@link #awaitClosed()} covers the rest.
     */
    void requestClose() {
        try {
            loop.execute(this::closeHere);
        } catch (RejectedExecutionException shutDown) {
            // The loop closes us in its own shutdown, or has terminated: awaitClosed sees to it.
        }
    }

    /** Blocks until closed; if the loop terminated without closing us, closes from this thread. */
    void awaitClosed() {
        CompletableFuture<Void> terminated = new CompletableFuture<>();
        loop.terminationFuture().addListener(f -> terminated.complete(null));
        CompletableFuture.anyOf(closed, terminated).join();
        if (!closed.isDone()) {
            // The loop has terminated: nothing runs there any more, so this thread may drain.
            closeHere();
        }
        closed.join();
    }

    /** On the loop, or on any thread after the loop terminated: cancel, then drain and close the context. */
    void closeHere() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        try {
            if (context.isClosed()) {
                // The engine was closed first and closed our eventfd; its number may belong to another
                // file by now, so Netty must not epoll_ctl(DEL) it on our behalf.
                fd.forget();
            }
            IoRegistration r = registration;
            if (r != null) {
                try {
                    r.cancel(); // on the loop this removes the fd from epoll before returning
                } catch (RejectedExecutionException terminated) {
                    // Off the loop only after termination, when the epoll fd itself is gone.
                }
            }
            context.close(); // runs the last callbacks here, then closes the eventfd
        } finally {
            closed.complete(null);
        }
    }

    @Override
    public String toString() {
        return "LoopBinding(" + context + " on " + loop + ")";
    }

    /**
     * The context's eventfd as Netty sees it. The context owns the descriptor, so closing this view
     * never closes it.
     */
    private static final class BorrowedFd extends FileDescriptor {
        BorrowedFd(int fd) {
            super(fd);
        }

        @Override
        public void close() {
            // Owned by the AioContext: it closes the descriptor after the registration is cancelled.
        }

        /** Marks the number as no longer ours, so Netty skips removing it from epoll. */
        void forget() {
            markClosed();
        }
    }
}
