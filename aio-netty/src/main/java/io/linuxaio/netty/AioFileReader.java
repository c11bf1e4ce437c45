package io.linuxaio.netty;

import io.linuxaio.AioFile;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.ArrayDeque;

/**
 * Feeds a file into a pipeline as inbound {@code ByteBuf}s, so that ordinary decoders
 * ({@code LineBasedFrameDecoder}, an HTTP codec) read the file on the channel's event loop while
 * the engine's workers do the reads.
 *
 * <pre>{@code
 * pipeline.addLast(new AioFileReader(loops, AioFileRegion.of("/var/log/app.log", 0, AioFileRegion.TO_END)),
 *                  new LineBasedFrameDecoder(8192), new StringDecoder(UTF_8), new LogLineHandler());
 * }</pre>
 *
 * <p>Place it at the head of the pipeline: it stands in for the channel's own input until the
 * file ends, and starts with the first {@code read()} that reaches it (with auto-read on, the one
 * Netty issues when the channel becomes active). Demand works as for any channel: each
 * {@code read()} that reaches it reads one chunk
 * (a pread into a pooled direct buffer) and passes it on as {@code channelRead} followed by
 * {@code channelReadComplete}; with auto-read on, the next chunk is read as soon as the pipeline
 * has taken the last, and with auto-read off only when asked. At most one read is in flight. Those
 * {@code read()}s are not passed on to the transport until the file has ended, and whatever the
 * transport reads before then anyway (a peer that shuts its output down makes Netty read the rest)
 * is held back and passed on after the file.
 *
 * <p>At the end of the region it fires an {@link EndOfFile} user event and then either closes the
 * channel (if built with {@code closeAtEnd}, which also lets decoders flush what they hold) or
 * hands reading over to the transport. A failed open or read, a file that ends before the region
 * does, or a chunk buffer the allocator cannot give, reaches {@code exceptionCaught} as an
 * {@link IOException} and ends the reading.
 * Bytes the transport held back are then dropped, as they are when the channel closes before the
 * file has ended. A file given by path is opened and closed by the reader; an {@link AioFile}
 * stays the caller's.
 *
 * <p>Threads: everything runs on the channel's loop; the channel must be registered with the
 * {@link AioEventLoops}' group. One instance per channel.
 */
public final class AioFileReader extends ChannelDuplexHandler {
    /** The user event fired once the region's last byte has been passed on. */
    public static final class EndOfFile {
        private final String path;
        private final long bytes;

        EndOfFile(String path, long bytes) {
            this.path = path;
            this.bytes = bytes;
        }

        /** The file's path. */
        public String path() {
            return path;
        }

        /** How many bytes were passed on. */
        public long bytes() {
            return bytes;
        }

        @Override
        public String toString() {
            return "EndOfFile(" + path + ", " + bytes + " bytes)";
        }
    }

    private enum State { NEW, OPENING, OPEN, ENDED }

    private final AioEventLoops loops;
    private final AioFileRegion region;
    private final int chunkSize;
    private final boolean closeAtEnd;

    private ChannelHandlerContext ctx;
    private FileSession session;
    private State state = State.NEW;
    private long next;
    private long passedOn;
    private boolean demand;
    private boolean reading;
    private final ArrayDeque<Object> heldBack = new ArrayDeque<>();

    /** Reads {@code region} in {@value AioFileHandler#DEFAULT_CHUNK_SIZE}-byte chunks; at the end, hands over to the transport. */
    public AioFileReader(AioEventLoops loops, AioFileRegion region) {
        this(loops, region, AioFileHandler.DEFAULT_CHUNK_SIZE, false);
    }

    /**
     * @param chunkSize the most bytes passed on in one {@code channelRead}, at least 1
     * @param closeAtEnd close the channel after the {@link EndOfFile} event, rather than hand
     *     reading over to the transport
     */
    public AioFileReader(AioEventLoops loops, AioFileRegion region, int chunkSize, boolean closeAtEnd) {
        if (loops == null || region == null) {
            throw new NullPointerException(loops == null ? "loops" : "region");
        }
        if (chunkSize < 1) {
            throw new IllegalArgumentException("chunkSize must be at least 1: " + chunkSize);
        }
        this.loops = loops;
        this.region = region;
        this.chunkSize = chunkSize;
        this.closeAtEnd = closeAtEnd;
        this.next = region.position();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.session = new FileSession(loops, ctx);
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        if (state == State.ENDED) {
            ctx.read();
            return;
        }
        demand = true;
        readNext();
    }

    /** The transport's own input: after the file, so held back until it has ended. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (state == State.ENDED && heldBack.isEmpty()) {
            ctx.fireChannelRead(msg);
        } else {
            heldBack.add(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (state == State.ENDED && heldBack.isEmpty()) {
            ctx.fireChannelReadComplete();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (state != State.ENDED) {
            // The file was cut short, so the peer's bytes have nothing to follow: drop them.
            stop();
            releaseHeldBack();
        } else {
            passOnHeldBack();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
        releaseHeldBack();
    }

    private void readNext() {
        if (!demand || reading || state == State.ENDED) {
            return;
        }
        if (state == State.NEW) {
            open();
            return;
        }
        if (state != State.OPEN) {
            return; // opening: read once it is open
        }
        long count = region.count();
        long left = count == AioFileRegion.TO_END ? chunkSize : region.position() + count - next;
        if (left == 0) {
            endOfFile();
            return;
        }
        int length = (int) Math.min(chunkSize, left);
        long end = count == AioFileRegion.TO_END ? AioFileRegion.TO_END : region.position() + count;
        ByteBuf buf;
        try {
            buf = ctx.alloc().directBuffer(length);
        } catch (OutOfMemoryError noDirectMemory) {
            fail(noDirectMemory); // as Netty's own reads do: the memory this needed is not there
            return;
        }
        reading = true;
        try {
            session.read(next, buf, length, end, false, (n, failure) -> chunkRead(buf, n, failure));
        } catch (RuntimeException e) {
            reading = false;
            buf.release();
            fail(e);
        }
    }

    private void open() {
        state = State.OPENING;
        session.openForReading(region, this::opened, this::fail);
    }

    /** Runs only while opening: the session closes a file that arrives after the reader stopped. */
    private void opened() {
        state = State.OPEN;
        readNext();
    }

    private void chunkRead(ByteBuf buf, int n, IOException failure) {
        reading = false;
        if (state != State.OPEN) {
            buf.release();
            return;
        }
        if (failure != null) {
            buf.release();
            fail(failure);
            return;
        }
        if (n == 0) {
            buf.release();
            endOfFile(); // the end of a file read to its end (a region that ends early is a failure)
            return;
        }
        next += n;
        passedOn += n;
        demand = false;
        ctx.fireChannelRead(buf);
        ctx.fireChannelReadComplete();
        if (ctx.channel().config().isAutoRead()) {
            demand = true;
        }
        readNext();
    }

    private void endOfFile() {
        state = State.ENDED;
        session.closeIfOwned();
        ctx.fireUserEventTriggered(new EndOfFile(region.path(), passedOn));
        passOnHeldBack();
        if (closeAtEnd) {
            ctx.close();
        } else if (ctx.channel().config().isAutoRead()) {
            ctx.read(); // the transport never saw the read() that auto-read issued at the start
        }
    }

    private void fail(Throwable cause) {
        state = State.ENDED;
        session.closeIfOwned();
        releaseHeldBack();
        ctx.fireExceptionCaught(cause instanceof IOException ? cause : new IOException(cause.getMessage(), cause));
    }

    private void passOnHeldBack() {
        if (heldBack.isEmpty()) {
            return;
        }
        Object msg;
        while ((msg = heldBack.poll()) != null) {
            ctx.fireChannelRead(msg);
        }
        ctx.fireChannelReadComplete();
    }

    private void releaseHeldBack() {
        Object msg;
        while ((msg = heldBack.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }

    private void stop() {
        if (state != State.ENDED) {
            state = State.ENDED;
            session.closeIfOwned(); // a read still running keeps the descriptor until it returns
        }
    }
}
