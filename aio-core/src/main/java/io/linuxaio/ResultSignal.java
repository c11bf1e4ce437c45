package io.linuxaio;

import com.sun.jna.LastErrorException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A context's eventfd, readable exactly while results wait: libeio's {@code want_poll} and
 * {@code done_poll}.
 *
 * <p>A thread that adds a result announces it only when none was announced ({@link #announced()}
 * is false), so a burst of results costs one eventfd write; pollCb withdraws the announcement when
 * it finds the queue empty. Announcing and withdrawing take the lock, so the fd is readable only
 * while the flag is set: a readable fd with nothing behind it (a result pollCb took before its
 * announcement landed) costs one empty pollCb, which clears it, never a loop that spins.
 *
 * <p>Until {@link #watch()} is first called nobody can be watching the fd, so it is left alone: a
 * poller that only uses pollWait pays no eventfd system calls. Once {@link #close()}d, the number is
 * never written to again, since it may belong to another file by then.
 */
final class ResultSignal {
    private final int eventFd;
    private final ReentrantLock lock = new ReentrantLock();
    /** Written under the lock; read without it to skip the lock while results are announced already. */
    private volatile boolean announced;
    private boolean watched; // guarded by lock
    private boolean closed; // guarded by lock
    private final AtomicLong writes = new AtomicLong();

    ResultSignal() {
        try {
            this.eventFd = Posix.eventfd(0, Posix.EFD_NONBLOCK | Posix.EFD_CLOEXEC);
        } catch (LastErrorException e) {
            throw new IllegalStateException("cannot create the result eventfd: " + AioException.of("eventfd", null, e).getMessage(), e);
        }
    }

    /** Whether waiting results have been announced (and the fd, if watched, made readable). */
    boolean announced() {
        return announced;
    }

    /** After adding a result: makes the fd readable unless that was done already. */
    void announce() {
        lock.lock();
        try {
            if (!announced) {
                announced = true;
                if (watched) {
                    makeReadable();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** pollCb found the queue empty: the fd must stop being readable. */
    void withdraw() {
        lock.lock();
        try {
            if (announced && watched) {
                clear();
            }
            announced = false;
        } finally {
            lock.unlock();
        }
    }

    /** The fd, watched from now on: results already announced make it readable at once. */
    int watch() {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the context is closed; its eventfd " + eventFd + " is gone");
            }
            if (!watched) {
                watched = true;
                if (announced) {
                    makeReadable();
                }
            }
            return eventFd;
        } finally {
            lock.unlock();
        }
    }

    /** Closes the fd; after this nothing writes to its number. */
    void close() {
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                watched = false;
                Posix.close(eventFd);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Times the fd was made readable. */
    long writes() {
        return writes.get();
    }

    int fd() {
        return eventFd;
    }

    /** Under the lock, with the fd watched: one write, counted. */
    private void makeReadable() {
        writes.incrementAndGet();
        Posix.eventfd_write(eventFd, 1);
    }

    private void clear() {
        try {
            Posix.eventfd_read(eventFd, new long[1]);
        } catch (LastErrorException e) {
            // EAGAIN: nothing to clear (the fd was watched only after the announcement).
            if (e.getErrorCode() != Errno.EAGAIN) {
                throw new IllegalStateException("cannot clear the result eventfd", e);
            }
        }
    }
}
