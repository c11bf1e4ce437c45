package io.linuxaio.netty;

import io.linuxaio.AioContext;
import io.linuxaio.AioException;
import io.linuxaio.AioFile;
import io.linuxaio.Fcntl;
import io.linuxaio.Stat;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * Sends one {@link AioFileRegion} for an {@link AioFileHandler}: opens the file if given a path,
 * learns its size if asked for the rest of it, reads it through the engine in chunks, each a pread
 * straight into a pooled direct buffer, and writes the chunks down the pipeline in file order.
 *
 * <p>Every method runs on the channel's loop. Several reads may be in flight at once (the handler
 * sets the budget); they may finish in any order, and a finished chunk waits for the ones before
 * it. A buffer being read into is never released before its read has called back, since the
 * kernel may still be writing into it.
 *
 * <p>The first chunk is read at the context's priority, later ones a step lower: on a slow disk the
 * workers then serve every transfer's first bytes (and other clients' opens and stats) before the
 * bulk of a large download, so a short response does not queue behind a long one.
 */
final class RegionTransfer {
    private enum State { NEW, OPENING, SIZING, READING, HANDED_OFF, DONE, FAILED }

    private final AioFileHandler handler;
    private final ChannelHandlerContext ctx;
    private final AioFileRegion region;
    private final ChannelPromise promise;
    private final int chunkSize;
    private final ArrayDeque<Chunk> chunks = new ArrayDeque<>(); // in file order

    private State state = State.NEW;
    private AioContext aio;
    /** {@code aio} one priority step lower, for the chunks after the first. */
    private AioContext bulk;
    private AioFile file;
    private boolean ownsFile;
    private boolean fileClosed;
    private long next; // where the next chunk starts
    private long end;
    private boolean wroteAny;
    /** A chunk's read failed; no more are started, and the transfer fails once the chunks before it are sent. */
    private boolean readFailed;
    /** A chunk's write failed: the channel's output is broken. */
    private boolean outputFailed;

    RegionTransfer(AioFileHandler handler, ChannelHandlerContext ctx, AioFileRegion region, ChannelPromise promise,
                   int chunkSize) {
        this.handler = handler;
        this.ctx = ctx;
        this.region = region;
        this.promise = promise;
        this.chunkSize = chunkSize;
    }

    /** Starts, or reads further as far as the handler's budget allows. */
    void pump() {
        if (state == State.NEW) {
            start();
        } else if (state == State.READING) {
            readMore();
        }
    }

    /** Whether every byte has been passed down the pipeline (or the transfer ended), so later writes may follow. */
    boolean handedOff() {
        return state == State.HANDED_OFF || state == State.DONE || state == State.FAILED;
    }

    private void start() {
        try {
            aio = handler.context();
            bulk = aio.withPriority(Math.max(AioContext.PRI_MIN, aio.priority() - 1));
        } catch (RuntimeException e) {
            fail(e);
            return;
        }
        if (region.file() != null) {
            file = region.file();
            opened();
            return;
        }
        state = State.OPENING;
        try {
            aio.open(region.path(), Fcntl.O_RDONLY, 0, (f, error) -> handler.onLoop(
                    () -> opened(f, error), () -> abandon(f, null)));
        } catch (RuntimeException e) {
            fail(e);
        }
    }

    private void opened(AioFile f, AioException error) {
        if (f != null) {
            file = f;
            ownsFile = true;
        }
        if (state != State.OPENING) {
            closeFileWhenDone(); // failed meanwhile
        } else if (error != null) {
            fail(error);
        } else {
            opened();
        }
    }

    private void opened() {
        if (region.count() != AioFileRegion.TO_END) {
            end = region.position() + region.count();
            startReading();
            return;
        }
        state = State.SIZING;
        try {
            aio.stat(file, (stat, error) -> handler.onLoop(() -> sized(stat, error), () -> abandon(null, null)));
        } catch (RuntimeException e) {
            fail(e);
        }
    }

    private void sized(Stat stat, AioException error) {
        if (state != State.SIZING) {
            closeFileWhenDone();
        } else if (error != null) {
            fail(error);
        } else if (region.position() > stat.size()) {
            fail(new IOException(region.path() + ": position " + region.position()
                    + " is past the end of the file (" + stat.size() + " bytes)"));
        } else {
            end = stat.size();
            startReading();
        }
    }

    private void startReading() {
        state = State.READING;
        next = region.position();
        if (next == end) {
            state = State.DONE;
            closeFileWhenDone();
            promise.trySuccess();
            handler.progress();
            return;
        }
        readMore();
    }

    private void readMore() {
        while (state == State.READING && !readFailed && next < end && handler.mayRead()) {
            int length = (int) Math.min(chunkSize, end - next);
            Chunk chunk = new Chunk(next, length, ctx.alloc().directBuffer(length));
            handler.chunkTaken();
            chunks.add(chunk);
            next += length;
            read(chunk);
        }
    }

    /** Reads the rest of {@code chunk}: all of it, or what a short read left. */
    private void read(Chunk chunk) {
        ByteBuf buf = chunk.buf;
        int have = buf.readableBytes();
        // A pread straight into the pooled buffer's memory: the engine's direct-buffer read.
        ByteBuffer dst = buf.nioBuffer(buf.writerIndex(), chunk.length - have);
        chunk.reading = true;
        try {
            AioContext via = chunk.offset == region.position() ? aio : bulk;
            via.read(file, chunk.offset + have, dst, (n, error) -> handler.onLoop(
                    () -> chunkRead(chunk, n, error), () -> abandon(null, chunk)));
        } catch (RuntimeException e) {
            chunk.reading = false;
            fail(e);
        }
    }

    private void chunkRead(Chunk chunk, Integer n, AioException error) {
        chunk.reading = false;
        if (state == State.FAILED) {
            release(chunk);
            closeFileWhenDone();
            return;
        }
        if (error != null || n == 0) {
            // Reads finish in any order: chunks before this one may still be on their way. They are
            // sent first, so the peer gets every byte up to the failure, and the transfer fails
            // when this chunk's turn comes.
            chunk.failure = error != null ? error : new IOException(region.path() + " ended at offset "
                    + (chunk.offset + chunk.buf.readableBytes()) + ", before the region's end at " + end
                    + " (did the file shrink?)");
            readFailed = true;
            writeReadyChunks();
            handler.progress();
            return;
        }
        chunk.buf.writerIndex(chunk.buf.writerIndex() + n);
        handler.bytesRead(n);
        if (chunk.buf.readableBytes() < chunk.length) {
            read(chunk); // short but not at end of file: fetch the rest in place
            return;
        }
        writeReadyChunks();
        handler.progress();
    }

    private void writeReadyChunks() {
        boolean wrote = false;
        while (state == State.READING && !chunks.isEmpty()) {
            Chunk head = chunks.peek();
            if (head.failure != null) {
                // Send what the failed read got before it failed, then fail: the handler closes the
                // channel behind it (and flushes it) if any byte of the region went out.
                chunks.poll();
                if (head.buf.isReadable()) {
                    write(head, false);
                } else {
                    release(head);
                }
                fail(head.failure);
                return;
            }
            if (!head.isFull()) {
                break;
            }
            Chunk chunk = chunks.poll();
            boolean last = chunk.offset + chunk.length == end;
            if (last) {
                state = State.HANDED_OFF;
                closeFileWhenDone();
            }
            write(chunk, last);
            wrote = true;
        }
        if (wrote) {
            ctx.flush();
        }
    }

    private void write(Chunk chunk, boolean last) {
        ByteBuf buf = chunk.buf;
        chunk.buf = null; // the pipeline owns it now
        ChannelPromise written = ctx.newPromise();
        written.addListener(f -> chunkWritten(f, last));
        wroteAny = true;
        ctx.write(buf, written);
    }

    private void chunkWritten(Future<?> f, boolean last) {
        handler.chunkReturned();
        if (!f.isSuccess()) {
            // The channel's output failed, often at once inside this very write: nothing more may
            // be written, not even to close behind, or a codec would send (and release) again what
            // it still holds of this write.
            outputFailed = true;
            fail(f.cause());
        } else if (last && state == State.HANDED_OFF) {
            state = State.DONE;
            promise.trySuccess();
        }
        handler.progress();
    }

    /**
     * Ends the transfer with {@code cause}: fails the promise, releases every buffer not being read
     * into (the rest go as their reads call back) and closes the file if it is ours. Bytes already
     * passed down stay passed; the handler closes the channel in that case.
     */
    void fail(Throwable cause) {
        if (state == State.DONE || state == State.FAILED) {
            return;
        }
        state = State.FAILED;
        for (Iterator<Chunk> it = chunks.iterator(); it.hasNext(); ) {
            Chunk chunk = it.next();
            if (!chunk.reading) {
                release(chunk);
                it.remove();
            }
        }
        closeFileWhenDone();
        promise.tryFailure(cause);
        handler.transferFailed(wroteAny, outputFailed);
    }

    private void release(Chunk chunk) {
        if (chunk.buf != null) {
            chunk.buf.release();
            chunk.buf = null;
            handler.chunkReturned();
        }
    }

    /** Closes the file we opened once no more reads of it will be asked for. */
    private void closeFileWhenDone() {
        boolean noMoreReads = state == State.FAILED || state == State.HANDED_OFF || state == State.DONE;
        if (ownsFile && !fileClosed && noMoreReads) {
            fileClosed = true;
            // The engine closes the descriptor after the reads still running on it have finished.
            handler.closeFile(aio, file);
        }
    }

    /**
     * A callback that could not reach the loop because the loop has terminated: release what it
     * carried and close the file, from this thread. Nothing else runs on this transfer any more.
     */
    private void abandon(AioFile opened, Chunk chunk) {
        if (opened != null) {
            file = opened;
            ownsFile = true;
        }
        if (chunk != null && chunk.buf != null) {
            chunk.buf.release();
            chunk.buf = null;
        }
        for (Chunk c : chunks) {
            if (!c.reading && c.buf != null) {
                c.buf.release();
                c.buf = null;
            }
        }
        state = State.FAILED;
        closeFileWhenDone();
    }

    @Override
    public String toString() {
        return "RegionTransfer(" + region + ", " + state + ")";
    }

    /** One chunk of the region: its place in the file and the buffer it is read into. */
    private static final class Chunk {
        final long offset;
        final int length;
        ByteBuf buf;
        boolean reading;
        /** Why this chunk could not be read; the transfer fails when it reaches the head. */
        Throwable failure;

        Chunk(long offset, int length, ByteBuf buf) {
            this.offset = offset;
            this.length = length;
            this.buf = buf;
        }

        boolean isFull() {
            return buf != null && !reading && buf.readableBytes() == length;
        }
    }
}
