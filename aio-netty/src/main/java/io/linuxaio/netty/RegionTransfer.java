package io.linuxaio.netty;

import io.linuxaio.AioException;
import io.linuxaio.Stat;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.function.Consumer;

/**
 * Sends one {@link AioFileRegion}: opens the file if given a path, learns its size if asked for
 * the rest of it, reads it in chunks, each a pread straight into a pooled direct buffer, and writes
 * the chunks down the pipeline in file order.
 *
 * <p>Every method runs on the channel's loop. Several reads may be in flight at once, as the
 * {@link ChunkBudget} allows and while the channel is writable; they may finish in any order, and a
 * finished chunk waits for the ones before it. A buffer being read into is never released before
 * its read has called back, since the kernel may still be writing into it.
 *
 * <p>Where its writer allows it (a plain socket of the epoll transport, see {@link AioFileHandler}),
 * a region of at least {@code sendfileMin} bytes is first sent straight from the page cache, a
 * {@link CachedFileChunk} at a time, each a sendfile(2) made only if mincore(2) finds its whole
 * range cached just before; the first range that is not goes on as reads through the engine.
 * The socket stays corked while the first of those sends is pending, so what was written ahead of
 * the region shares its segments, and its unsent bytes are limited from the second send on
 * ({@link SendfileSocket}).
 *
 * <p>The first chunk is read at the context's priority, later ones a step lower: on a slow disk the
 * workers then serve every transfer's first bytes (and other clients' opens and stats) before the
 * bulk of a large download, so a short response does not queue behind a long one.
 *
 * <p>Whoever runs it learns of its progress through one callback, {@code moved}: called when a
 * chunk has left the budget, when the last byte has been passed down ({@link #handedOff()}), and
 * when the transfer ends. A transfer that ends {@link #cutShort()} has passed part of the region
 * down; the peer cannot tell where it went wrong, so only closing the channel is left.
 */
final class RegionTransfer {
    /**
     * The most one {@link CachedFileChunk} tries to send: about what a socket's buffer takes at once,
     * so mincore looks at no more pages than the send can use, and a file whose tail is not cached
     * still sends its cached head this way.
     */
    static final long CACHED_CHUNK_BYTES = 2 << 20;

    private enum State {
        NEW, OPENING, SIZING,
        /** Sending from the page cache with sendfile, a {@link CachedFileChunk} at a time. */
        SENDING,
        READING,
        /** Every chunk is written down the pipeline; the promise waits for the socket to take the last. */
        HANDED_OFF,
        DONE,
        /** Ended before any byte went down the pipeline: writes behind the region may follow. */
        FAILED,
        /** Ended after some bytes went down the pipeline. */
        CUT
    }

    private final ChannelHandlerContext ctx;
    private final AioFileRegion region;
    private final ChannelPromise promise;
    private final int chunkSize;
    private final ChunkBudget budget;
    private final FileSession session;
    private final Consumer<RegionTransfer> moved;
    /** The socket to sendfile to, or -1 to read every byte into buffers. */
    private final int socketFd;
    private final long sendfileMin;
    private final ArrayDeque<Chunk> chunks = new ArrayDeque<>(); // in file order

    private State state = State.NEW;
    private long next; // where the next chunk starts
    private long end;
    private boolean wroteAny;
    /** A chunk's read failed; no more are started, and the transfer fails once the chunks before it are sent. */
    private boolean readFailed;
    /** The transfer ended because a chunk's write failed: the channel's output is broken. */
    private boolean outputFailed;
    /** The {@link CachedFileChunk} written whose promise has not completed, or null. */
    private CachedFileChunk pendingChunk;
    /** Inside {@link #sendCached()}'s loop, which a chunk completing inside its flush asks to go round again. */
    private boolean sendingCached;
    private boolean sendCachedAgain;
    /** The options set on the socket while the region is sent with sendfile. */
    private final SendfileSocket socket;

    /**
     * @param socketFd the channel's socket, to send from the page cache to with sendfile, or -1
     * @param sendfileMin the least a region holds for sendfile to be tried
     */
    RegionTransfer(ChannelHandlerContext ctx, AioFileRegion region, ChannelPromise promise, int chunkSize,
                   ChunkBudget budget, FileSession session, Consumer<RegionTransfer> moved, int socketFd,
                   long sendfileMin) {
        this.ctx = ctx;
        this.region = region;
        this.promise = promise;
        this.chunkSize = chunkSize;
        this.budget = budget;
        this.session = session;
        this.moved = moved;
        this.socketFd = socketFd;
        this.sendfileMin = sendfileMin;
        this.socket = new SendfileSocket(ctx.channel());
    }

    /** Starts, or reads further as far as the budget and the channel's writability allow. */
    void pump() {
        if (state == State.NEW) {
            start();
        } else if (state == State.READING) {
            readMore();
        }
    }

    /** Whether every byte has been passed down the pipeline, or the transfer has ended. */
    boolean handedOff() {
        return state == State.HANDED_OFF || state == State.DONE || state == State.FAILED || state == State.CUT;
    }

    /** Whether it is under way and has passed nothing down the pipeline yet. */
    boolean awaitingFirstBytes() {
        return !wroteAny && (state == State.OPENING || state == State.SIZING || state == State.SENDING
                || state == State.READING);
    }

    /** Whether it ended after passing part of the region down the pipeline. */
    boolean cutShort() {
        return state == State.CUT;
    }

    /** Whether it ended because a chunk's write failed, so nothing more can be written to the channel. */
    boolean outputFailed() {
        return outputFailed;
    }

    /**
     * Ends the transfer with {@code cause}: fails the promise, releases every buffer not being read
     * into (the rest go as their reads call back) and closes the file if it is ours. Bytes already
     * passed down stay passed. Does nothing once the transfer has ended.
     */
    void fail(Throwable cause) {
        fail(cause, false);
    }

    private void start() {
        state = State.OPENING;
        session.openForReading(region, this::opened, this::fail);
    }

    private void opened() {
        if (region.count() != AioFileRegion.TO_END) {
            end = region.position() + region.count();
            startReading();
            return;
        }
        state = State.SIZING;
        try {
            session.stat(this::sized);
        } catch (RuntimeException e) {
            fail(e);
        }
    }

    private void sized(Stat stat, AioException error) {
        if (state != State.SIZING) {
            return; // ended meanwhile
        }
        if (error != null) {
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
            session.closeIfOwned();
            promise.trySuccess();
            moved.accept(this);
            return;
        }
        if (socketFd >= 0 && end - next >= sendfileMin) {
            state = State.SENDING;
            sendCached();
            return;
        }
        readMore();
    }

    /**
     * Writes a {@link CachedFileChunk} for what follows and flushes it, if none is pending. A chunk
     * that completes inside that flush (the socket took it, or part of it) makes this loop go round
     * again rather than recurse.
     */
    private void sendCached() {
        if (sendingCached) {
            sendCachedAgain = true;
            return;
        }
        sendingCached = true;
        try {
            do {
                sendCachedAgain = false;
                if (state != State.SENDING || pendingChunk != null) {
                    return;
                }
                CachedFileChunk chunk = new CachedFileChunk(session.engine(), session.file(), socketFd, next,
                        Math.min(CACHED_CHUNK_BYTES, end - next));
                pendingChunk = chunk;
                if (!wroteAny) {
                    socket.cork();
                } else {
                    socket.limitUnsent();
                }
                ChannelPromise written = ctx.newPromise();
                written.addListener(f -> cachedChunkDone(chunk, f));
                ctx.write(chunk, written);
                ctx.flush();
            } while (sendCachedAgain);
        } finally {
            sendingCached = false;
        }
    }

    private void cachedChunkDone(CachedFileChunk chunk, Future<?> f) {
        pendingChunk = null;
        // Whatever became of the chunk: a socket left corked would hold the next response back, and
        // one left limited would slow it if it is sent whole in one go.
        socket.uncork();
        if (state != State.SENDING || !f.isSuccess() || chunk.notCached() || next + chunk.transferred() == end) {
            socket.restoreUnsentLimit();
        }
        if (state != State.SENDING) {
            return; // ended meanwhile
        }
        if (!f.isSuccess()) {
            fail(f.cause(), true);
            return;
        }
        long sent = chunk.transferred();
        if (sent > 0) {
            wroteAny = true;
            next += sent;
            budget.read((int) sent);
        }
        if (next == end) {
            state = State.DONE;
            session.closeIfOwned();
            promise.trySuccess();
            moved.accept(this);
        } else if (chunk.notCached()) {
            state = State.READING; // what is not cached, and all after it, is read by the engine
            readMore();
        } else {
            sendCached(); // the socket has room again
        }
    }

    private void readMore() {
        while (state == State.READING && !readFailed && next < end && ctx.channel().isWritable() && budget.take()) {
            int length = (int) Math.min(chunkSize, end - next);
            ByteBuf buf;
            try {
                buf = ctx.alloc().directBuffer(length);
            } catch (OutOfMemoryError noDirectMemory) {
                // As Netty's own reads do: the memory this needed is not there, so this transfer fails.
                budget.giveBack();
                fail(noDirectMemory);
                return;
            }
            Chunk chunk = new Chunk(next, length, buf);
            chunks.add(chunk);
            next += length;
            read(chunk);
        }
    }

    /** Reads the rest of {@code chunk}: all of it, or what a short read left. */
    private void read(Chunk chunk) {
        int have = chunk.buf.readableBytes();
        chunk.reading = true;
        try {
            session.read(chunk.offset + have, chunk.buf, chunk.length - have, end, chunk.offset != region.position(),
                    (n, failure) -> chunkRead(chunk, n, failure));
        } catch (RuntimeException e) {
            chunk.reading = false;
            fail(e);
        }
    }

    private void chunkRead(Chunk chunk, int n, IOException failure) {
        chunk.reading = false;
        if (state == State.FAILED || state == State.CUT) {
            release(chunk);
            return;
        }
        if (failure != null) {
            // Reads finish in any order: chunks before this one may still be on their way. They are
            // sent first, then what this one holds, so the peer gets every byte up to the failure,
            // and the transfer fails when this chunk's turn comes.
            chunk.failure = failure;
            readFailed = true;
            writeReadyChunks();
            return;
        }
        budget.read(n);
        if (chunk.buf.readableBytes() < chunk.length) {
            read(chunk); // short but not at the end of the file: fetch the rest in place
            return;
        }
        writeReadyChunks();
    }

    private void writeReadyChunks() {
        boolean wrote = false;
        while (state == State.READING && !chunks.isEmpty()) {
            Chunk head = chunks.peek();
            if (head.failure != null) {
                chunks.poll();
                if (head.buf.isReadable()) {
                    send(head, false);
                } else {
                    release(head);
                }
                fail(head.failure, false);
                return;
            }
            if (!head.isFull()) {
                break;
            }
            chunks.poll();
            boolean last = head.offset + head.length == end;
            if (last) {
                state = State.HANDED_OFF;
                session.closeIfOwned(); // the engine closes it once the reads still running on it are done
            }
            send(head, last);
            wrote = true;
        }
        if (wrote) {
            ctx.flush();
        }
        if (state == State.HANDED_OFF) {
            moved.accept(this);
        }
    }

    private void send(Chunk chunk, boolean last) {
        ByteBuf buf = chunk.buf;
        chunk.buf = null; // the pipeline owns it now
        wroteAny = true;
        ChannelPromise written = ctx.newPromise();
        written.addListener(f -> chunkWritten(f, last));
        ctx.write(buf, written);
    }

    private void chunkWritten(Future<?> f, boolean last) {
        budget.giveBack();
        if (!f.isSuccess()) {
            // Often at once, inside this very write: whoever runs the transfer must then write
            // nothing more, or a codec would send (and release) again what it still holds of it.
            fail(f.cause(), true);
            return;
        }
        if (last && state == State.HANDED_OFF) {
            state = State.DONE;
            promise.trySuccess();
        }
        moved.accept(this);
    }

    private void fail(Throwable cause, boolean outputBroken) {
        if (state == State.DONE || state == State.FAILED || state == State.CUT) {
            return;
        }
        state = wroteAny ? State.CUT : State.FAILED;
        outputFailed = outputBroken;
        if (pendingChunk != null) {
            pendingChunk.cancel(); // still in the outbound buffer: it sends nothing now
        }
        for (Iterator<Chunk> it = chunks.iterator(); it.hasNext(); ) {
            Chunk chunk = it.next();
            if (!chunk.reading) {
                release(chunk);
                it.remove();
            }
        }
        session.closeIfOwned();
        promise.tryFailure(cause);
        moved.accept(this);
    }

    private void release(Chunk chunk) {
        if (chunk.buf != null) {
            chunk.buf.release();
            chunk.buf = null;
            budget.giveBack();
        }
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
        /** Why this chunk could not be read in full; the transfer fails when it reaches the head. */
        IOException failure;

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
