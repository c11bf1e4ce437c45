package io.linuxaio.netty;

import io.linuxaio.AioFile;
import java.util.Objects;

/**
 * A range of a file for {@link AioFileHandler} to send, or for {@link AioFileReader} to read: either
 * by path, when the handler opens the file and closes it when done, or as an open {@link AioFile},
 * which stays the caller's to close (after the write's promise completes).
 *
 * <p>An immutable value, safe to share between threads; the arguments are checked here, in the
 * caller. A {@code count} of
 * {@value #TO_END} means "to the end of the file", as the file's size is when the transfer begins.
 */
public final class AioFileRegion {
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
        return new AioFileRegion(path, null, position, count);
    }

    /** {@code count} bytes from {@code position} of an open file, which the caller keeps and closes. */
    public static AioFileRegion of(AioFile file, long position, long count) {
        Objects.requireNonNull(file, "file");
        if (file.isClosed()) {
            throw new IllegalStateException("file is closed: " + file);
        }
        return new AioFileRegion(file.path(), file, position, count);
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

    @Override
    public String toString() {
        return "AioFileRegion(" + (file != null ? file : path) + ", position " + position
                + (count == TO_END ? ", to end)" : ", count " + count + ")");
    }
}
