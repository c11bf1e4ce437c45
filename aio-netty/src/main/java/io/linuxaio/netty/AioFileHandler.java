package io.linuxaio.netty;


import io.linuxaio.AioContext;
import io.linuxaio.AioFile;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.epoll.AbstractEpollStreamChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Sends files down a pipeline without blocking its event loop: each {@link AioFileRegion} written
 * through this handler is read through the engine's worker threads in chunks, each a pread
 * straight into a direct {@code ByteBuf} from the channel's allocator (pooled unless configured
 * otherwise), and the chunks are written on down the pipeline
 * in file order. Put it where a {@code ChunkedWriteHandler} would go: after {@code HttpServerCodec},
 * or after an {@code SslHandler} (which takes no {@code FileRegion}, so sendfile cannot serve TLS;
 * this can).
 *
 * <pre>{@code
 * pipeline.addLast(new HttpServerCodec(), new AioFileHandler(loops), new MyHandler());
 * // in MyHandler, on the channel's loop:
 * ctx.write(response);
 * ctx.write(AioFileRegion.of("/srv/www/big.iso", 0, AioFileRegion.TO_END));
 * ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
 * }</pre>
 *
 * <p><b>Order.</b> Messages it does not know pass through untouched; messages written after a
 * region go out after the region's last byte. Like any write, a region starts moving at the next
 * flush; what was written before it (a response head) is flushed with the region's first chunk,
 * so a small response leaves in one packet, or at once if the region ends with nothing sent.
 *
 * <p><b>Backpressure.</b> At most {@code chunksInFlight} chunks are held at once, counting both
 * chunks being read and chunks written down the pipeline that the socket has not taken yet; and no
 * read starts while the channel is not writable. So a peer that stops reading costs the server at
 * most {@code chunksInFlight * chunkSize} bytes of buffers, besides the socket's own.
 *
 * <p><b>Priority.</b> A region's first chunk is read at the loop context's priority and the rest
 * one step lower ({@link AioContext#withPriority(int)}): on a slow disk, the engine's workers serve
 * every response's first bytes, and other requests such as opens, before the bulk of a large file.
 *
 * <p><b>Outcome.</b> The region's write promise succeeds when its last byte has been written to
 * the socket, and fails with the {@link io.linuxaio.AioException} of a failed open, stat or read.
 * A region that reaches past the end of the file (the file shrank, or {@code count} was too large)
 * fails with an {@link IOException} naming the offset where the file ended, rather than waiting
 * for bytes that will not come. If a region fails after some of its bytes went down the pipeline,
 * every byte before the failure is sent, and then, since the peer cannot tell where the data went
 * wrong, the handler closes the channel and refuses the writes queued behind the region; a region that
 * failed before sending anything (a missing file) leaves the channel open and the writes after it
 * proceed. A chunk whose write fails (the channel closed under it) fails the region with that
 * write's cause and closes the channel, writing nothing more; a chunk buffer the allocator cannot
 * give fails it with the allocator's {@link OutOfMemoryError}. A region written to a pipeline
 * without this handler fails too, loudly: see {@link AioFileRegion}.
 *
 * <p><b>Closing.</b> When the channel closes, or the handler is removed, mid-file: reading stops,
 * every buffer is released (those being read into as soon as their reads return), files opened by
 * path are closed, and pending writes fail. A region given as an {@link AioFile} is never closed by
 * the handler.
 *
 * <p><b>Sendfile.</b> Off by default; {@link #sendfileWhenCached(long)} lets a plain socket's
 * cached regions go out with {@code sendfile(2)}, with no copy through a buffer.
 *
 * <p><b>Threads.</b> Every callback runs on the channel's event loop, from the loop's context in
 * {@link AioEventLoops}; the only file system calls made there are the engine's tries in forms the
 * kernel promises will not wait for a disk, and, with sendfile on, a sendfile that mincore found
 * every page of cached for just before. One instance per channel (not sharable);
 * the channel must be registered with the {@code AioEventLoops}' group.
 */
public final class AioFileHandler extends ChannelDuplexHandler {
    /** 64 KiB: large enough that a read costs little per byte, small enough to fit a socket's buffer. */
    public static final int DEFAULT_CHUNK_SIZE = 64 * 1024;
    /** 4 chunks: reads overlap with socket writes, and a stalled peer pins 256 KiB at most. */
    public static final int DEFAULT_CHUNKS_IN_FLIGHT = 4;

    private final AioEventLoops loops;
    private final int chunkSize;
    private final ChunkBudget budget;
    private final ArrayDeque<QueuedWrite> queue = new ArrayDeque<>();
    /** Engine callbacks that arrived off this channel's loop; readable from any thread. */
    private final AtomicLong movedCallbacks = new AtomicLong();

    /** The least a region holds to be sent with sendfile when cached; 0 for never. */
    private long sendfileMin;
    private ChannelHandlerContext ctx;
    private boolean closed;
    private Pumping pumping = Pumping.IDLE;
    /** A flush came while the region at the head had written nothing: its first chunk's write flushes for it. */
    private boolean flushHeld;

    /** Where {@link #pump()} is: a call made while it runs only asks it to go round again. */
    private enum Pumping { IDLE, RUNNING, AGAIN }

    /** A handler with {@value #DEFAULT_CHUNK_SIZE}-byte chunks, {@value #DEFAULT_CHUNKS_IN_FLIGHT} in flight. */
    public AioFileHandler(AioEventLoops loops) {
        this(loops, DEFAULT_CHUNK_SIZE, DEFAULT_CHUNKS_IN_FLIGHT);
    }

    /**
     * @param chunkSize bytes per read and per buffer written down the pipeline, at least 1
     * @param chunksInFlight how many chunk buffers may be held at once, at least 1
     */
    public AioFileHandler(AioEventLoops loops, int chunkSize, int chunksInFlight) {
        if (loops == null) {
            throw new NullPointerException("loops");
        }
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunkSize must be at least 1: " + chunkSize);
        }
        if (chunksInFlight < 1) {
            throw new IllegalArgumentException("chunksInFlight must be at least 1: " + chunksInFlight);
        }
        this.loops = loops;
        this.chunkSize = chunkSize;
        this.budget = new ChunkBudget(chunksInFlight);
    }

    /**
     * Lets a region of at least {@code minBytes} go out with {@code sendfile(2)} straight from the
     * page cache, with no copy through a buffer, where the channel is a socket of Netty's epoll
     * transport (elsewhere this changes nothing). Each send is made on the loop only if
     * {@code mincore(2)} finds its whole range cached and read in just before
     * ({@link io.linuxaio.LinuxAio#sendfileIfCached}); from the first range that is not, the rest
     * is read through the engine's workers as usual. Off by default.
     *
     * <p>The socket is corked (TCP_CORK) from just before a region's first send until that send
     * returns, so whatever was written ahead of it, such as the response's head, leaves in the
     * same full segments as the file's first bytes, as with nginx's {@code tcp_nopush}; and from
     * its second send to its last, the socket holds at most 256 KiB unsent (TCP_NOTSENT_LOWAT,
     * unless the channel's own limit is tighter; a looser one is put back after). Both measured,
     * see {@code SendfileSocket}.
     *
     * <p>Only for a pipeline where every handler between this one and the socket passes a
     * {@code FileRegion} on unchanged: an HTTP/1.1 encoder sending a body with a
     * {@code Content-Length} does; one that frames it (chunked transfer coding), an
     * {@code SslHandler} or a compressor does not. Call it before the handler is added.
     *
     * @param minBytes the least a region must hold: below it, the head and body of a small
     *                 response leave in one write, which costs fewer system calls than a write and a sendfile
     * @return this handler
     */
    public AioFileHandler sendfileWhenCached(long minBytes) {
        if (minBytes < 1) {
            throw new IllegalArgumentException("minBytes must be at least 1: " + minBytes);
        }
        this.sendfileMin = minBytes;
        return this;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (closed) {
            if (!(msg instanceof AioFileRegion)) { // a region holds nothing, and releasing one says it was lost
                ReferenceCountUtil.release(msg);
            }
            promise.tryFailure(new ClosedChannelException());
        } else if (msg instanceof AioFileRegion region) {
            FileSession session = new FileSession(loops, ctx, movedCallbacks, () -> {});
            int socketFd = sendfileMin > 0 && ctx.channel() instanceof AbstractEpollStreamChannel socket ? socket.fd().intValue() : -1;
            queue.add(new QueuedWrite(null, promise,
                    new RegionTransfer(ctx, region, promise, chunkSize, budget, session, this::moved, socketFd, sendfileMin)));
        } else if (queue.isEmpty()) {
            ctx.write(msg, promise);
        } else {
            queue.add(new QueuedWrite(msg, promise, null));
        }
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        for (QueuedWrite write : queue) {
            write.flushed = true;
        }
        pump();
        QueuedWrite head = queue.peek();
        if (head != null && head.transfer != null && head.transfer.awaitingFirstBytes()) {
            // What went before the region (a response head) goes out with its first chunk, whose
            // write flushes: one packet and one system call where two would be, as nginx's
            // postpone_output does. A region that ends with nothing written flushes it in moved().
            flushHeld = true;
        } else {
            flushHeld = false;
            ctx.flush();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isWritable()) {
            pump();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        failAll(ClosedChannelException::new);
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        failAll(() -> new IOException("AioFileHandler was removed from the pipeline"));
    }

    // ---------------------------------------------------------------- on the loop

    /**
     * A transfer moved on: continue it and whatever is queued behind it. One that ended after part
     * of its region went down the pipeline ends the channel: the peer would take the bytes after it
     * for the rest of the region.
     */
    private void moved(RegionTransfer transfer) {
        if (!transfer.cutShort() || closed) {
            pump();
            if (flushHeld && !transfer.awaitingFirstBytes()) {
                flushHeld = false;
                ctx.flush();
            }
            return;
        }
        // Refuse the writes behind the region first: a flush completes chunk writes, whose
        // listeners pump the queue, and would otherwise send those writes.
        failAll(() -> new IOException("not sent: a file region before it failed part-way"));
        if (transfer.outputFailed()) {
            // The output failed, maybe inside a write still on the stack: write nothing, close.
            ctx.close();
        } else {
            // Close behind the chunks already written, so the peer gets every byte the file had:
            // a plain close would drop those still waiting in the outbound buffer.
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    // ---------------------------------------------------------------- metrics, readable from any thread

    /** Chunk buffers held now: being read into, or written down the pipeline and not yet on the socket. */
    int chunksHeld() {
        return budget.held();
    }

    /** The most chunk buffers ever held at once. */
    int peakChunksHeld() {
        return budget.peak();
    }

    /** Bytes read from files so far. */
    long bytesRead() {
        return budget.bytesRead();
    }

    /** Engine callbacks that arrived off this channel's loop and had to be moved there (0 while the loops run). */
    long movedCallbacks() {
        return movedCallbacks.get();
    }

    // ---------------------------------------------------------------- machinery

    /**
     * Passes the queue on as far as it can go now. Writing and failing call back into here: a chunk
     * write's listener, a promise's listeners, a transfer that ends at once. Such a call only asks
     * the running pump to go round again, so one frame at a time walks the queue, in order.
     */
    private void pump() {
        if (pumping != Pumping.IDLE) {
            pumping = Pumping.AGAIN;
            return;
        }
        try {
            do {
                pumping = Pumping.RUNNING;
                pumpQueue();
            } while (pumping == Pumping.AGAIN);
        } finally {
            pumping = Pumping.IDLE;
        }
    }

    private void pumpQueue() {
        boolean flush = false;
        QueuedWrite head;
        while (!closed && (head = queue.peek()) != null) {
            if (head.transfer == null) {
                queue.poll();
                ctx.write(head.msg, head.promise);
                flush |= head.flushed; // its flush went by while it waited
                continue;
            }
            if (!head.flushed) {
                break;
            }
            head.transfer.pump();
            if (closed || !head.transfer.handedOff()) {
                break; // still sending; or it failed part-way and the queue is refused
            }
            queue.poll();
        }
        if (flush) {
            ctx.flush();
        }
    }

    /**
     * Ends every queued write with the failure {@code cause} makes, made only if one is queued: a
     * channel that ends with nothing queued (each HTTP/2 stream as its response completes) fills
     * in no stack trace.
     */
    private void failAll(Supplier<? extends Throwable> cause) {
        closed = true;
        if (queue.isEmpty()) {
            return;
        }
        Throwable failure = cause.get();
        QueuedWrite write;
        while ((write = queue.poll()) != null) {
            if (write.transfer != null) {
                write.transfer.fail(failure);
            } else {
                ReferenceCountUtil.release(write.msg);
                write.promise.tryFailure(failure);
            }
        }
    }

    /** A write waiting for the regions before it: a message to pass on, or a region to send. */
    private static final class QueuedWrite {
        final Object msg;
        final ChannelPromise promise;
        final RegionTransfer transfer;
        boolean flushed;

        QueuedWrite(Object msg, ChannelPromise promise, RegionTransfer transfer) {
            this.msg = msg;
            this.promise = promise;
            this.transfer = transfer;
        }
    }
}
