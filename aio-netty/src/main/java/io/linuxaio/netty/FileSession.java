package io.linuxaio.netty;

import io.linuxaio.AioCallback;
import io.linuxaio.AioContext;
import io.linuxaio.AioFile;
import io.linuxaio.LinuxAio;
import io.linuxaio.Fcntl;
import io.linuxaio.Stat;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.ReferenceCounted;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One file that one handler reads or writes for its channel, through the engine context of the
 * channel's event loop. It holds what every file-using handler here needs: the context, looked up
 * on first use; the file, and whether it is ours to close; opening, reading and writing with each
 * completion brought to the handler's executor; and, when a completion can no longer reach it,
 * releasing what the completion carried and closing the file.
 *
 * <p>Buffers: a read fills a {@code ByteBuf} from its writer index (a pread straight into a direct
 * buffer's memory) and stays the caller's; a write takes its message and releases it once the
 * write has finished. A request the engine refuses (it throws) leaves the buffer or message with
 * the caller and changes nothing here.
 *
 * <p>Threads: call it on the handler's executor ({@code ctx.executor()}, the channel's loop unless
 * the handler was added with another). Callbacks given to it run there, with one exception: if
 * that executor has terminated when a completion arrives, the session releases what the
 * completion carried, closes its file and runs its {@code onGone} task on the completing thread,
 * and the callback does not run.
 */
final class FileSession {
    private static final InternalLogger logger = InternalLoggerFactory.getInstance(FileSession.class);

    private final AioEventLoops loops;
    private final ChannelHandlerContext ctx;
    private final AtomicLong movedCallbacks;
    private final Runnable onGone;

    private AioContext context;
    private AioContext bulk;
    private AioFile file;
    private String path;
    private boolean owned;
    /** {@link #closeIfOwned} was called: a file that arrives later is closed at once. */
    private boolean done;
    /** A completion found the executor gone, and {@code onGone} has run. */
    private boolean gone;

    /** A session that counts nothing and has nothing else to release if the loop has gone. */
    FileSession(AioEventLoops loops, ChannelHandlerContext ctx) {
        this(loops, ctx, new AtomicLong(), () -> {});
    }

    /**
     * @param movedCallbacks counts the completions that arrived off the handler's executor
     * @param onGone runs once, on the completing thread, if a completion finds the executor gone:
     *     release whatever else the handler holds, for nothing of it will run on the loop again
     */
    FileSession(AioEventLoops loops, ChannelHandlerContext ctx, AtomicLong movedCallbacks, Runnable onGone) {
        this.loops = loops;
        this.ctx = ctx;
        this.movedCallbacks = movedCallbacks;
        this.onGone = onGone;
    }

    /**
     * The context whose callbacks run on the channel's loop, looked up on first use.
     *
     * @throws IllegalStateException if the {@link AioEventLoops} is closed or the channel not registered
     * @throws IllegalArgumentException if the channel's loop is not one of the group's
     */
    AioContext context() {
        if (context == null) {
            context = loops.forChannel(ctx.channel());
        }
        return context;
    }

    /** The engine the channel's context belongs to. */
    LinuxAio engine() {
        return loops.engine();
    }

    /** Uses a file the caller opened, which stays the caller's to close. */
    void use(AioFile callersFile) {
        file = callersFile;
        path = callersFile.path();
    }

    /** The open file, or null before {@link #open} has called back (or after {@link #closeIfOwned}). */
    AioFile file() {
        return file;
    }

    /**
     * Opens a region's file for reading: the caller's {@link AioFileRegion#file()}, when
     * {@code opened} runs before this returns, or the region's path, as {@link #open} does.
     */
    void openForReading(AioFileRegion region, Runnable opened, Consumer<Throwable> failed) {
        if (region.file() != null) {
            use(region.file());
            opened.run();
        } else {
            open(region.path(), Fcntl.O_RDONLY, 0, opened, failed);
        }
    }

    /**
     * Opens {@code path}: {@code opened} runs once the file is this session's (and closed by
     * {@link #closeIfOwned}), {@code failed} with the error if the open fails, or before this
     * returns if the request is refused (the loops or the engine closed). After
     * {@link #closeIfOwned} neither runs, and a file that arrives then is closed at once.
     */
    void open(String path, int flags, int mode, Runnable opened, Consumer<Throwable> failed) {
        try {
            context().open(path, flags, mode, onLoop((f, error) -> {
                if (done) {
                    if (f != null) {
                        closeThroughEngine(f, null);
                    }
                } else if (error != null) {
                    failed.accept(error);
                } else {
                    file = f;
                    owned = true;
                    opened.run();
                }
            }, (f, error) -> {
                if (f != null) {
                    closeThroughEngine(f, null);
                }
            }));
        } catch (RuntimeException refused) {
            failed.accept(refused);
            return;
        }
        this.path = path;
    }

    /** Stats the open file. @throws RuntimeException as {@link AioContext#stat(AioFile, AioCallback)} does */
    void stat(AioCallback<Stat> then) {
        context().stat(file, onLoop(then, (stat, error) -> {}));
    }

    /**
     * Reads up to {@code length} bytes at {@code offset} into {@code buf} from its writer index,
     * which moves past what was read. {@code then} gets the count, or the failure: the engine's
     * error, or, when the file has no byte at {@code offset} but was to reach {@code end} (not
     * {@link AioFileRegion#TO_END}), an {@link IOException} saying where it ended. A count of 0
     * then means the end of a file read {@code TO_END}. The buffer stays the caller's.
     *
     * @param bulk read one priority step below the context's, as for the bulk of a large file
     * @throws RuntimeException as {@link AioContext#read(AioFile, long, ByteBuffer, AioCallback)} does
     */
    void read(long offset, ByteBuf buf, int length, long end, boolean bulk, ReadDone then) {
        ByteBuffer dst = buf.nioBuffer(buf.writerIndex(), length);
        AioContext via = bulk ? bulkContext() : context();
        via.read(file, offset, dst, onLoop((n, error) -> {
            if (error != null) {
                then.read(0, error);
            } else if (n == 0 && end != AioFileRegion.TO_END) {
                then.read(0, new IOException(path + " ended at offset " + offset + ", before the region's end at "
                        + end + " (did the file shrink?)"));
            } else {
                buf.writerIndex(buf.writerIndex() + n);
                then.read(n, null);
            }
        }, (n, error) -> buf.release()));
    }

    /**
     * Writes {@code content}'s readable bytes at {@code offset} (a composite buffer gathered into
     * one direct buffer first, so the write is a single pwrite). Once this returns, {@code msg}
     * (which holds {@code content}) is the session's: it is released when the write has finished,
     * before {@code then} runs with the count or the error.
     *
     * @throws RuntimeException as {@link AioContext#write(AioFile, long, ByteBuffer, AioCallback)}
     *     does, or {@link OutOfMemoryError} if no direct buffer can be had to gather a composite;
     *     {@code msg} is then still the caller's
     */
    void write(long offset, ReferenceCounted msg, ByteBuf content, AioCallback<Integer> then) {
        ReferenceCounted held = msg;
        ByteBuffer src;
        if (content.nioBufferCount() == 1) {
            src = content.nioBuffer();
        } else {
            ByteBuf gathered = ctx.alloc().directBuffer(content.readableBytes()).writeBytes(content, content.readerIndex(),
                    content.readableBytes());
            held = gathered;
            src = gathered.nioBuffer();
        }
        ReferenceCounted release = held;
        try {
            context().write(file, offset, src, onLoop((n, error) -> {
                release.release();
                then.complete(n, error);
            }, (n, error) -> release.release()));
        } catch (RuntimeException refused) {
            if (held != msg) {
                held.release();
            }
            throw refused;
        }
        if (held != msg) {
            ReferenceCountUtil.release(msg); // its bytes are in the gathered copy
        }
    }

    /**
     * This session is done with its file: closes it through the engine if the session opened it
     * (once the requests still running on it have finished), now or as it arrives; a caller's file
     * stays open.
     */
    void closeIfOwned() {
        closeIfOwned(null);
    }

    /**
     * {@link #closeIfOwned()}, then {@code then} with the close's error, or null: at once if there
     * was nothing to close or the close went to the engine because the loops have closed; on the
     * completing thread if the loop has gone.
     */
    void closeIfOwned(AioCallback<Void> then) {
        done = true;
        AioFile f = owned ? file : null;
        if (f == null) {
            if (then != null) {
                then.complete(null, null);
            }
            return;
        }
        file = null;
        owned = false;
        closeThroughEngine(f, then);
    }

    /**
     * Closes {@code f} through the channel's context, or through the engine's own when the
     * {@link AioEventLoops} was closed first. The engine closes the descriptor once the requests
     * still running on it have finished. Only a closed engine leaves it open, and says so.
     */
    private void closeThroughEngine(AioFile f, AioCallback<Void> then) {
        try {
            context().close(f, then == null ? null : onLoop(then, then));
            return;
        } catch (IllegalStateException contextClosed) {
            // AioEventLoops closed first: fall through to the engine.
        }
        try {
            loops.engine().close(f, null);
        } catch (IllegalStateException engineClosed) {
            logger.warn("{} stays open: its engine was closed before the handler using it was done", f);
        }
        if (then != null) {
            then.complete(null, null);
        }
    }

    private AioContext bulkContext() {
        if (bulk == null) {
            AioContext c = context();
            bulk = c.withPriority(Math.max(AioContext.PRI_MIN, c.priority() - 1));
        }
        return bulk;
    }

    /**
     * The one place that brings an engine completion to the handler's executor. Completions run on
     * the channel's loop, even while contexts close (the loop is each context's poller), so they
     * arrive on the handler's executor already unless the handler was added with an executor of
     * its own, when they are handed over. Once that executor has terminated (a loop whose context
     * was closed after it stopped runs nothing more), {@code ifGone} releases what the completion
     * carried, the file is closed and the owner's {@code onGone} runs, all on the completing thread.
     */
    private <T> AioCallback<T> onLoop(AioCallback<T> then, AioCallback<T> ifGone) {
        return (result, error) -> {
            EventExecutor executor = ctx.executor();
            if (executor.inEventLoop()) {
                then.complete(result, error);
                return;
            }
            movedCallbacks.incrementAndGet();
            try {
                executor.execute(() -> then.complete(result, error));
            } catch (RejectedExecutionException terminated) {
                ifGone.complete(result, error);
                closeIfOwned();
                if (!gone) {
                    gone = true;
                    onGone.run();
                }
            }
        };
    }

    /** What {@link #read} calls back with. */
    @FunctionalInterface
    interface ReadDone {
        /** @param failure null on success, when {@code n} bytes were read (0 only at the end of a file read to its end) */
        void read(int n, IOException failure);
    }

    @Override
    public String toString() {
        return "FileSession(" + (file != null ? file : path) + (owned ? ", owned" : "") + (done ? ", done" : "") + ")";
    }
}
