package io.linuxaio;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A file opened by {@link AioContext#open}, accepted by every request that works on an open file.
 *
 * <p>Thread-safe. {@link AioContext#close(AioFile, AioCallback) close} marks it closed at once, so
 * any later request on it throws {@link IllegalStateException} in the caller; requests already
 * submitted still run on the open descriptor, and the descriptor is closed only after the last of
 * them has finished, so a read can never land on a reused descriptor number. A file that is never
 * closed keeps its descriptor until the JVM exits.
 */
public final class AioFile {
    private static final int CLOSING = 1 << 30;

    private final int fd;
    private final String path;
    /** The flags it was opened with; a read-only file may be closed on the submitting thread. */
    final int flags;
    /**
     * The file system it lives on (see {@link Inline}): on a local one its stat and close never wait
     * for a server or a FUSE daemon, and may run on the submitting thread. An open tried first (on
     * the submitting thread) never leaves its directory's.
     */
    final FileSystemKind fileSystem;
    /** The file system refused {@code RWF_NOWAIT} for it: its reads all go to the workers. */
    volatile boolean noNowaitReads;
    /**
     * Whether mincore tells this process the truth about the file's pages: 0 not known yet, 1 yes,
     * -1 no (then it is never sent with sendfile from an event loop; see {@code Inline}).
     */
    volatile byte mincoreAnswers;
    /** Which file it reads, once a stat of it has said (see {@link MincoreMappings}); null until then. */
    volatile FileIdentity identity;
    /** Requests using the descriptor, plus one held by the owner until close; CLOSING once close was asked. */
    private final AtomicInteger users = new AtomicInteger(1);
    /** What closes the descriptor once the last user is done; set by close, before the owner lets go. */
    private volatile Runnable closer;

    AioFile(int fd, String path, int flags, FileSystemKind fileSystem) {
        this.fd = fd;
        this.path = path;
        this.flags = flags;
        this.fileSystem = fileSystem;
    }

    /** The path this file was opened with. */
    public String path() {
        return path;
    }

    /**
     * The descriptor number, for code that must hand it to another API (epoll, sendfile). Valid only
     * until the file is closed; never close it yourself.
     */
    public int fd() {
        return fd;
    }

    /** Whether close has been requested; once true, new requests on this file throw. */
    public boolean isClosed() {
        return (users.get() & CLOSING) != 0;
    }

    @Override
    public String toString() {
        return "AioFile(fd " + fd + ", " + path + (isClosed() ? ", closed)" : ")");
    }

    /** In the submitting thread: one more request will use the descriptor. */
    void acquire() {
        for (;;) {
            int state = users.get();
            if ((state & CLOSING) != 0) {
                throw new IllegalStateException("file is closed: " + this);
            }
            if (users.compareAndSet(state, state + 1)) {
                return;
            }
        }
    }

    /**
     * In the submitting thread, by close: no more requests may start, and the owner lets go of the
     * descriptor. True if no request uses it any more, so the caller closes it now; otherwise the
     * last request to {@link #release()} it runs {@code closer}.
     *
     * @throws IllegalStateException if close was asked already; nothing changes then
     */
    boolean markClosing(Runnable closer) {
        for (;;) {
            int state = users.get();
            if ((state & CLOSING) != 0) {
                throw new IllegalStateException("file is already closed: " + this);
            }
            if (users.compareAndSet(state, state | CLOSING)) {
                break;
            }
        }
        // Until the owner's reference goes below, no release can be the last: nobody reads this yet.
        this.closer = closer;
        return users.decrementAndGet() == CLOSING;
    }

    /**
     * After a request that used the descriptor has run: lets go of it, and if the file is closing
     * and this was the last user, sets the close going ({@code closer} queues it for a worker).
     */
    void release() {
        if (users.decrementAndGet() == CLOSING) {
            closer.run();
        }
    }

    /** Whether the descriptor is open for reading only (or {@code O_PATH}): nothing to flush at close. */
    boolean readOnly() {
        return (flags & Fcntl.O_PATH) != 0 || (flags & Fcntl.O_ACCMODE) == Fcntl.O_RDONLY;
    }
}
