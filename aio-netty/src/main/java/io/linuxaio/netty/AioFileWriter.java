package io.linuxaio.netty;

import io.linuxaio.AioException;
import io.linuxaio.AioFile;
import io.linuxaio.Fcntl;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.ReferenceCounted;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes a channel's inbound bytes to a file through the engine, for uploads: every inbound
 * {@code ByteBuf} (or {@link ByteBufHolder}'s content, such as an HTTP content chunk) is written at
 * the next offset of the file and released; other messages pass on untouched.
 *
 * <pre>{@code
 * AioFileWriter upload = new AioFileWriter(loops, "/srv/incoming/data.bin");
 * pipeline.addLast(upload);
 * upload.done().thenAccept(bytes -> ...);   // on the channel's loop
 * }</pre>
 *
 * <p><b>Backpressure.</b> While any write is pending the handler turns the channel's auto-read off,
 * so the peer is held back by TCP rather than by buffers piling up in memory; it turns it back on
 * when the writes are done. If auto-read was off already the caller drives reading as before.
 *
 * <p><b>End.</b> The upload ends with the channel's input: a half-close
 * ({@link ChannelInputShutdownEvent}) or the channel going inactive. Then, once every write has
 * finished and a file opened by path is closed, {@link #done()} completes with the number of bytes
 * written, or exceptionally with the first failure (an {@link AioException}, such as
 * {@code ENOSPC}). A failure also reaches {@code exceptionCaught}; input after it is discarded.
 *
 * <p>A file given by path is created (or truncated) with mode 0644 and closed at the end; an
 * {@link AioFile} given by the caller is written from {@code position} on and stays open.
 *
 * <p>Threads: everything, including the completion of {@link #done()}, runs on the channel's
 * loop; the channel must be registered with the {@link AioEventLoops}' group. One instance per
 * channel.
 */
public final class AioFileWriter extends ChannelInboundHandlerAdapter {
    private final AioEventLoops loops;
    private final String path;
    private final CompletableFuture<Long> done = new CompletableFuture<>();
    private final ArrayDeque<Pending> waitingForOpen = new ArrayDeque<>();

    /** The caller's file, or null to open {@code path}. */
    private final AioFile callersFile;

    private ChannelHandlerContext ctx;
    private FileSession session;
    private boolean opening;
    private long next;
    private long written;
    private int writesPending;
    private boolean holdingAutoRead;
    private boolean inputEnded;
    private boolean finishing;
    private Throwable failure;

    /** Writes to the file at {@code path}, created or truncated, which it closes at the end. */
    public AioFileWriter(AioEventLoops loops, String path) {
        this.loops = Objects.requireNonNull(loops, "loops");
        this.path = Objects.requireNonNull(path, "path");
        if (path.isEmpty()) {
            throw new IllegalArgumentException("empty path");
        }
        this.callersFile = null;
    }

    /** Writes to an open file from {@code position} on; the file stays the caller's to close. */
    public AioFileWriter(AioEventLoops loops, AioFile file, long position) {
        this.loops = Objects.requireNonNull(loops, "loops");
        this.callersFile = Objects.requireNonNull(file, "file");
        if (position < 0) {
            throw new IllegalArgumentException("negative position: " + position);
        }
        if (file.isClosed()) {
            throw new IllegalStateException("file is closed: " + file);
        }
        this.path = file.path();
        this.next = position;
    }

    /**
     * Completes, on the channel's loop, with the bytes written once the input has ended and every
     * write has finished (and a file opened by path is closed); or exceptionally with the first
     * failure, once the writes still running have returned.
     */
    public CompletableFuture<Long> done() {
        return done;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.session = new FileSession(loops, ctx, new AtomicLong(), this::loopGone);
        if (callersFile != null) {
            session.use(callersFile);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf content = msg instanceof ByteBuf buf ? buf : msg instanceof ByteBufHolder holder ? holder.content() : null;
        if (content == null) {
            ctx.fireChannelRead(msg);
            return;
        }
        int length = content.readableBytes();
        if (failure != null || inputEnded || length == 0) {
            ReferenceCountUtil.release(msg);
            return;
        }
        Pending pending = new Pending((ReferenceCounted) msg, content, next, length);
        next += length;
        holdAutoRead();
        if (session.file() == null) {
            waitingForOpen.add(pending);
            open();
        } else {
            write(pending);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof ChannelInputShutdownEvent) {
            endOfInput();
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        endOfInput();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        endOfInput();
    }

    private void endOfInput() {
        if (!inputEnded) {
            inputEnded = true;
            if (session.file() == null && failure == null) {
                open(); // an empty upload still makes an (empty) file
            }
            settle();
        }
    }

    private void open() {
        if (!opening && session.file() == null) {
            opening = true;
            session.open(path, Fcntl.O_WRONLY | Fcntl.O_CREAT | Fcntl.O_TRUNC, 0644, this::opened, this::openFailed);
        }
    }

    private void opened() {
        opening = false;
        Pending pending;
        while ((pending = waitingForOpen.poll()) != null) {
            write(pending);
        }
        settle();
    }

    private void openFailed(Throwable cause) {
        opening = false;
        fail(cause);
        settle();
    }

    private void write(Pending pending) {
        if (failure != null) {
            ReferenceCountUtil.release(pending.msg);
            return;
        }
        writesPending++;
        try {
            session.write(pending.offset, pending.msg, pending.content, (n, error) -> written(pending, n, error));
        } catch (RuntimeException | OutOfMemoryError e) { // refused, or no direct memory to gather a composite
            writesPending--;
            ReferenceCountUtil.release(pending.msg);
            fail(e);
        }
    }

    /** The session has released the message by now. */
    private void written(Pending pending, Integer n, AioException error) {
        writesPending--;
        if (error != null) {
            fail(error);
        } else if (n < pending.length) {
            fail(new IOException(path + ": only " + n + " of " + pending.length + " bytes written at offset "
                    + pending.offset + " (is the disk full?)"));
        } else {
            written += n;
        }
        settle();
    }

    /** After any change: resume reading when nothing is pending, and finish once the input has ended. */
    private void settle() {
        if (writesPending > 0 || !waitingForOpen.isEmpty() || opening) {
            return;
        }
        if (inputEnded || failure != null) {
            finish();
        } else if (holdingAutoRead) {
            holdingAutoRead = false;
            ctx.channel().config().setAutoRead(true);
        }
    }

    private void finish() {
        if (!finishing) {
            finishing = true;
            session.closeIfOwned((ignored, error) -> complete(error));
        }
    }

    private void complete(AioException closeError) {
        if (failure == null && closeError != null) {
            failure = closeError;
        }
        if (failure != null) {
            done.completeExceptionally(failure);
        } else {
            done.complete(written);
        }
    }

    private void fail(Throwable cause) {
        if (failure != null) {
            return;
        }
        failure = cause instanceof IOException ? cause : new IOException(cause.getMessage(), cause);
        Pending pending;
        while ((pending = waitingForOpen.poll()) != null) {
            ReferenceCountUtil.release(pending.msg);
        }
        if (holdingAutoRead) {
            holdingAutoRead = false; // what comes next is discarded; no reason to hold the peer back
            ctx.channel().config().setAutoRead(true);
        }
        ctx.fireExceptionCaught(failure);
    }

    private void holdAutoRead() {
        ChannelConfig config = ctx.channel().config();
        if (!holdingAutoRead && config.isAutoRead()) {
            holdingAutoRead = true;
            config.setAutoRead(false);
        }
    }

    /**
     * A completion found the channel's loop terminated (see {@link FileSession}): nothing of this
     * upload runs there again, so release what waits for the file and end {@link #done()} here.
     */
    private void loopGone() {
        Pending pending;
        while ((pending = waitingForOpen.poll()) != null) {
            ReferenceCountUtil.release(pending.msg);
        }
        done.completeExceptionally(failure != null ? failure
                : new IOException(path + ": the channel's event loop terminated before the upload was written"));
    }

    /** One inbound buffer on its way to the file. */
    private static final class Pending {
        final ReferenceCounted msg;
        final ByteBuf content;
        final long offset;
        final int length;

        Pending(ReferenceCounted msg, ByteBuf content, long offset, int length) {
            this.msg = msg;
            this.content = content;
            this.offset = offset;
            this.length = length;
        }
    }
}
