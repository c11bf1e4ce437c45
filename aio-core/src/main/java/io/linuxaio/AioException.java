package io.linuxaio;

import com.sun.jna.LastErrorException;
import java.io.IOException;

/**
 * A file system call that failed on a worker thread, as its callback receives it.
 *
 * <p>Carries the errno of the failed call, its symbolic name and the path (or open file) involved,
 * so {@code open(/srv/x): ENOENT (No such file or directory)} can be handled by number, by name or
 * read by a person. Programming errors never arrive this way: they throw in the caller.
 */
public final class AioException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int errno;
    private final String call;
    private final String path;

    /**
     * @param call the request that failed, such as {@code open}
     * @param errno the errno it failed with
     * @param path the path or file it was about, or null
     * @param reason the system's text for the errno, or null
     */
    public AioException(String call, int errno, String path, String reason) {
        super(call + "(" + (path == null ? "" : path) + "): " + Errno.name(errno)
                + (reason == null || reason.isEmpty() ? "" : " (" + reason + ")"));
        this.errno = errno;
        this.call = call;
        this.path = path;
    }

    static AioException of(String call, String path, LastErrorException e) {
        String text = e.getMessage();
        // JNA says "[2] No such file or directory"; keep the words, the number has its own field.
        int close = text == null ? -1 : text.indexOf("] ");
        String reason = text == null ? null : close >= 0 ? text.substring(close + 2) : text;
        return new AioException(call, e.getErrorCode(), path, reason);
    }

    /** The errno number, such as 2. */
    public int errno() {
        return errno;
    }

    /** The errno's symbolic name, such as {@code ENOENT}. */
    public String errnoName() {
        return Errno.name(errno);
    }

    /** The request that failed, such as {@code open} or {@code read}. */
    public String call() {
        return call;
    }

    /** The path the request was about (for an open file, the path it was opened with), or null. */
    public String path() {
        return path;
    }
}
