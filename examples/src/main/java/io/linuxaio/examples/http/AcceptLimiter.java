package io.linuxaio.examples.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.unix.Errors;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * On the listening channel, before Netty's acceptor: caps the open connections, and keeps the
 * server alive and serving when it runs out of descriptors.
 *
 * <p>A connection accepted beyond {@code maxConnections} is closed at once, as nginx does when its
 * {@code worker_connections} run out: the client learns straight away, instead of waiting in the
 * listen backlog (its handshake already complete, so it looks connected) for a slot that an idle
 * keep-alive connection may hold for the whole idle timeout; and the descriptors left over stay
 * free for the files the connections already admitted are reading.
 *
 * <p>When {@code accept(2)} fails for want of descriptors or memory ({@code EMFILE},
 * {@code ENFILE}, {@code ENOBUFS}, {@code ENOMEM}) the listener stops accepting (the connections
 * it has go on being served) until a connection closes and frees a descriptor, or a second has
 * passed; then it tries again. Such failures are reported on the error sink at most once a minute
 * (with how many there were), each report followed by one when accepting works again. Nothing here logs
 * through Netty's logger and no failure goes on down the pipeline: the first log line at EMFILE
 * has been seen to fail itself (loading the time-zone file) and take the event loop with it.
 * Every method catches what it could throw, for the same reason.
 *
 * <p>{@link #channelRead} and {@link #exceptionCaught} run on the listener's loop; the count
 * falls on each connection's own loop as it closes.
 */
@ChannelHandler.Sharable
final class AcceptLimiter extends ChannelInboundHandlerAdapter {
    /** How long accepting pauses at most after accept(2) ran out of something. */
    static final long PAUSE_MILLIS = 1000;
    private static final long REPORT_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);
    private static final int EMFILE = 24;
    private static final int ENFILE = 23;
    private static final int ENOBUFS = 105;
    private static final int ENOMEM = 12;

    private final int maxConnections;
    private final Consumer<String> errors;
    private final AtomicInteger open = new AtomicInteger();
    /** Made up front, like everything used at EMFILE: a class loaded then may need a descriptor itself. */
    private final Runnable resume = this::resume;
    private final ChannelFutureListener closed = this::closed;
    private volatile ChannelHandlerContext listener;
    private volatile boolean paused;
    private ScheduledFuture<?> resumeLater; // on the listener's loop
    private long failedAccepts;
    private long lastFailureReport;
    /** A failure was reported: the next accept that works says so, once. */
    private boolean recoveryToReport;
    private long refused;
    private long lastRefusalReport;

    /**
     * @param errors where a line about running out goes (standard error for the command line)
     */
    AcceptLimiter(int maxConnections, Consumer<String> errors) {
        if (maxConnections <= 0) {
            throw new IllegalArgumentException("maxConnections must be positive: " + maxConnections);
        }
        this.maxConnections = maxConnections;
        this.errors = errors;
    }

    /** Connections accepted and not yet closed. */
    int open() {
        return open.get();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        listener = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Channel child = (Channel) msg;
        try {
            if (recoveryToReport) {
                report("accepting connections again, after " + failedAccepts + " failed accepts");
                recoveryToReport = false;
                failedAccepts = 0;
            }
            if (open.get() >= maxConnections) {
                child.unsafe().closeForcibly(); // not registered yet: closes its socket here
                refused++;
                long now = System.nanoTime();
                if (lastRefusalReport == 0 || now - lastRefusalReport >= REPORT_EVERY_NANOS) {
                    report(new StringBuilder().append(maxConnections)
                            .append(" connections open, the most allowed; closing new ones at once (")
                            .append(refused).append(" so far)").toString());
                    lastRefusalReport = now;
                }
                return;
            }
            open.incrementAndGet();
            child.closeFuture().addListener(closed);
        } catch (Throwable t) {
            child.unsafe().closeForcibly();
            return;
        }
        ctx.fireChannelRead(child);
    }

    /** accept(2) failed, or something in the accept loop threw. Not passed on: see the class comment. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        try {
            boolean outOfSomething = !(cause instanceof Errors.NativeIoException e) || outOfResources(e.expectedErr());
            if (!outOfSomething) {
                return; // one connection's trouble (ECONNABORTED, EPERM from a filter): accept the next
            }
            failedAccepts++;
            long now = System.nanoTime();
            if (lastFailureReport == 0 || now - lastFailureReport >= REPORT_EVERY_NANOS) {
                report(new StringBuilder().append("cannot accept connections: ").append(cause)
                        .append("; ").append(open.get()).append(" connections open; pausing accepts until one closes")
                        .append(failedAccepts > 1 ? " (" + failedAccepts + " failed accepts)" : "").toString());
                lastFailureReport = now;
                recoveryToReport = true;
            }
            if (!paused) {
                paused = true;
                ctx.channel().config().setAutoRead(false);
                resumeLater = ctx.executor().schedule(resume, PAUSE_MILLIS, TimeUnit.MILLISECONDS);
            }
        } catch (Throwable t) {
            // Whatever it was, the listener's loop must live on.
        }
    }

    private static boolean outOfResources(int negativeErrno) {
        int errno = -negativeErrno;
        return errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM;
    }

    /** On a connection's loop: it closed; one slot and one descriptor are free again. */
    private void closed(io.netty.channel.ChannelFuture future) {
        open.decrementAndGet();
        ChannelHandlerContext ctx = listener;
        if (paused && ctx != null) {
            try {
                ctx.executor().execute(resume);
            } catch (RejectedExecutionException stopping) {
                // The listener's loop is gone: nothing left to resume.
            } catch (Throwable t) {
                // The close of a connection must not fail for this.
            }
        }
    }

    /** On the listener's loop: accept again. */
    private void resume() {
        try {
            if (!paused) {
                return;
            }
            paused = false;
            if (resumeLater != null) {
                resumeLater.cancel(false);
                resumeLater = null;
            }
            ChannelHandlerContext ctx = listener;
            if (ctx != null && ctx.channel().isOpen()) {
                ctx.channel().config().setAutoRead(true);
            }
        } catch (Throwable t) {
            // The listener's loop must live on; the next close or the next timer tries again.
        }
    }

    private void report(String line) {
        try {
            errors.accept("file server: " + line);
        } catch (Throwable t) {
            // A log that cannot be written is no reason to stop serving.
        }
    }
}
