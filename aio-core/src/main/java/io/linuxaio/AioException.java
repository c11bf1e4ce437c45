package io.linuxaio;

import com.sun.jna.LastErrorException;
import java.io.IOException;

/**
 * A file system call that failed on a worker thread, as its callback receives it.
 *
 * <p>Carries the errno of the failed call, its symbolic name and the path (or open file) involved,
 * so {@code open(/srv/x): ENOENT (No such file or directory)} can be handled by number, by name or
 * read by a person. Programming errors never arrive this way: they throw in the caller. It carries
 * no stack trace (see {@link #fillInStackTrace()}).
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
        // JNA says "[2] No such file or directory", as do the engine's own failures with a reason of
        // their own; keep the words, the number has its own field. Others get the system's words.
        int close = text == null || !text.startsWith("[") ? -1 : text.indexOf("] ");
        String reason = close >= 0 ? text.substring(close + 2) : Errno.reason(e.getErrorCode());
        return new AioException(call, e.getErrorCode(), path, reason);
    }

    /**
     * None: it is made where the call failed, on a worker or inside the engine, whose stack tells
     * nothing about the request, and filling one in costs more than the failed call (an open of a
     * missing file, such as a probe for a precompressed sibling, is an everyday answer). The message
     * names the call, the path and the errno.
     */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
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
