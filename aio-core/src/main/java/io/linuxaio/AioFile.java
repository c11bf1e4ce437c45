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
    /** Requests using the descriptor, plus one held by the owner until close; CLOSING once close was asked. */
    private final AtomicInteger users = new AtomicInteger(1);
    private volatile Request<Void> closeRequest;

    AioFile(int fd, String path) {
        this.fd = fd;
        this.path = path;
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

    /** Called in the submitting thread: one more request will use the descriptor. */
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

    /** Called in the submitting thread by close: no more requests may start. */
    void markClosing(Request<Void> close) {
        for (;;) {
            int state = users.get();
            if ((state & CLOSING) != 0) {
                // Refused: the close already registered must stay the one that runs.
                throw new IllegalStateException("file is already closed: " + this);
            }
            if (users.compareAndSet(state, state | CLOSING)) {
                // No worker reads it before the close request is submitted: until then the owner's
                // reference keeps the count above CLOSING, so no request can be the last user.
                closeRequest = close;
                return;
            }
        }
    }

    /** Called on a worker when a request is done with the descriptor; true when the caller must now close it. */
    boolean release() {
        return users.decrementAndGet() == CLOSING;
    }

    Request<Void> closeRequest() {
        return closeRequest;
    }
}
