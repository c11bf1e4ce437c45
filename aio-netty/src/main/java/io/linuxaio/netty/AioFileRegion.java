package io.linuxaio.netty;

import io.linuxaio.AioFile;
import io.netty.util.ReferenceCounted;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.util.Objects;

/**
 * A range of a file for {@link AioFileHandler} to send, or for {@link AioFileReader} to read: either
 * by path, when the handler opens the file and closes it when done, or as an open {@link AioFile},
 * which stays the caller's to close (after the write's promise completes).
 *
 * <p>An immutable value, safe to share between threads; the arguments are checked here, in the
 * caller. A {@code count} of
 * {@value #TO_END} means "to the end of the file", as the file's size is when the transfer begins.
 *
 * <p><b>Without an AioFileHandler.</b> Only an {@link AioFileHandler} can send a region. Written to a
 * pipeline with no {@code AioFileHandler} between the writer and the transport (say behind
 * {@code HttpServerCodec} alone, which passes it on), a region fails loudly rather than leave a
 * client waiting for a body: the transport fails the write's promise with
 * {@code UnsupportedOperationException: unsupported message type: AioFileRegion$NeedsAioFileHandler},
 * and, as it drops the region, releases it, upon which the region logs a warning that names the
 * region and says where the {@code AioFileHandler} goes. The same holds for any handler that
 * refuses a message it cannot send, naming it by its class (an {@code SslHandler} does).
 * Closing the channel is left to the writer, who holds the promise, as for any failed write.
 */
public class AioFileRegion implements ReferenceCounted {
    private static final InternalLogger logger = InternalLoggerFactory.getInstance(AioFileRegion.class);

    /** The {@code count} that means everything from {@code position} to the end of the file. */
    public static final long TO_END = -1;

    private final String path;
    private final AioFile file;
    private final long position;
    private final long count;

    private AioFileRegion(String path, AioFile file, long position, long count) {
        if (position < 0) {
            throw new IllegalArgumentException("negative position: " + position);
        }
        if (count < TO_END) {
            throw new IllegalArgumentException("count must be >= 0, or -1 for the rest of the file: " + count);
        }
        if (count > 0 && position > Long.MAX_VALUE - count) {
            throw new IllegalArgumentException("position + count overflows: " + position + " + " + count);
        }
        this.path = path;
        this.file = file;
        this.position = position;
        this.count = count;
    }

    /** {@code count} bytes from {@code position} of the file at {@code path}, which the handler opens and closes. */
    public static AioFileRegion of(String path, long position, long count) {
        Objects.requireNonNull(path, "path");
        if (path.isEmpty()) {
            throw new IllegalArgumentException("empty path");
        }
        return new NeedsAioFileHandler(path, null, position, count);
    }

    /** {@code count} bytes from {@code position} of an open file, which the caller keeps and closes. */
    public static AioFileRegion of(AioFile file, long position, long count) {
        Objects.requireNonNull(file, "file");
        if (file.isClosed()) {
            throw new IllegalStateException("file is closed: " + file);
        }
        return new NeedsAioFileHandler(file.path(), file, position, count);
    }

    /** The path given, or the path the {@link #file()} was opened with. */
    public String path() {
        return path;
    }

    /** The open file given, or null for a region by path. */
    public AioFile file() {
        return file;
    }

    /** Where the range starts in the file. */
    public long position() {
        return position;
    }

    /** How many bytes, or {@value #TO_END} for the rest of the file. */
    public long count() {
        return count;
    }

    // ---------------------------------------------------------------- ReferenceCounted, to fail loudly

    /**
     * Logs a warning and returns false. Nothing that sends a region releases it (a region holds
     * nothing to free): a handler that releases one is dropping it, most likely because no
     * {@link AioFileHandler} stood in front of it.
     */
    @Override
    public boolean release() {
        // The exception's stack shows which handler dropped it.
        IllegalStateException dropped = new IllegalStateException(this + " was dropped unsent: only an AioFileHandler"
                + " can send it. Put one in the pipeline after the codecs (such as HttpServerCodec) and any SslHandler,"
                + " before the handler that writes regions.");
        logger.warn(dropped.getMessage(), dropped);
        return false;
    }

    /** As {@link #release()}, whatever the decrement. */
    @Override
    public boolean release(int decrement) {
        return release();
    }

    /** Always 1: a region holds nothing to free, so nothing counts references to it. */
    @Override
    public int refCnt() {
        return 1;
    }

    /** Does nothing (see {@link #refCnt()}). */
    @Override
    public AioFileRegion retain() {
        return this;
    }

    /** As {@link #retain()}. */
    @Override
    public AioFileRegion retain(int increment) {
        return retain();
    }

    /** Does nothing: there is no leak to trace. */
    @Override
    public AioFileRegion touch() {
        return this;
    }

    /** As {@link #touch()}. */
    @Override
    public AioFileRegion touch(Object hint) {
        return touch();
    }

    @Override
    public String toString() {
        return "AioFileRegion(" + (file != null ? file : path) + ", position " + position
                + (count == TO_END ? ", to end)" : ", count " + count + ")");
    }

    /**
     * The class of every region: the transport and codecs that refuse a message name it by its class
     * ({@code unsupported message type: AioFileRegion$NeedsAioFileHandler}), so their error says what
     * is missing.
     */
    private static final class NeedsAioFileHandler extends AioFileRegion {
        NeedsAioFileHandler(String path, AioFile file, long position, long count) {
            super(path, file, position, count);
        }
    }
}
