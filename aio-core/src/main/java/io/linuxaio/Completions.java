package io.linuxaio;

import com.sun.jna.LastErrorException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The delivery half of a completion context: its count of outstanding requests, the queue of
 * finished ones, the eventfd that is readable while that queue is not empty, and pollCb, pollWait.
 * Shared by a context and its {@link AioContext#withPriority(int) priority views}.
 *
 * <p>Workers add results without a lock, so a worker never waits for the polling thread or the
 * other way round. {@code signalled} says that the waiting results have been announced: the eventfd
 * made readable (once someone watches it). A worker announces only
 * when it finds {@code signalled} false, so a burst of results costs one eventfd write; pollCb
 * withdraws the announcement when it finds the queue empty. Announcing and withdrawing take
 * {@code fdLock}, so the fd is readable only while {@code signalled} is set: a readable fd with
 * nothing behind it (a result pollCb took before its announcement landed) costs one empty pollCb,
 * which clears it, never a loop that spins on a readable fd. A thread in pollWait is woken apart
 * from that, by the first result after it went to sleep, since a late announcement must not leave
 * it asleep. Before it sleeps, pollWait spins for a few microseconds when the {@link SpinBudget}
 * leaves it a core: a result that comes meanwhile then costs no futex call on either side.
 */
final class Completions {
    private static final int CLOSED = 1 << 30;
    private static final int COUNT = CLOSED - 1;

    private final int eventFd;
    private final SpinBudget spinBudget;
    /** Requests submitted and not yet delivered; the CLOSED bit once no more are taken. */
    private final AtomicInteger outstanding = new AtomicInteger();
    private final ResultQueue results = new ResultQueue();
    /** Written under fdLock; read without it to skip the lock while results are announced already. */
    private volatile boolean signalled;
    /** Set by the first pollFileno(), under fdLock. Before it, nobody can watch the fd, so it is left alone. */
    private boolean fdWatched;
    private final ReentrantLock fdLock = new ReentrantLock();
    private final AtomicLong wakeups = new AtomicLong();

    /** For pollWait: held to wait and to wake the waiters, never by a worker that finds none asleep. */
    private final ReentrantLock waitLock = new ReentrantLock();
    private final Condition resultsChanged = waitLock.newCondition();
    /**
     * Set by a pollWait thread before it sleeps, cleared by the first result that wakes it: the
     * results after it, while that thread gets going, cost no lock and no futex call.
     */
    private volatile boolean asleep;

    /** Serialises callbacks: held while pollCb runs them. */
    private final ReentrantLock pollLock = new ReentrantLock();
    private final ArrayDeque<Request<?>> batch = new ArrayDeque<>(); // guarded by pollLock
    private volatile int maxPollReqs;
    private boolean fdClosed; // guarded by fdLock

    Completions(SpinBudget spinBudget) {
        this.spinBudget = spinBudget;
        try {
            this.eventFd = Posix.eventfd(0, Posix.EFD_NONBLOCK | Posix.EFD_CLOEXEC);
        } catch (LastErrorException e) {
            throw new IllegalStateException("cannot create the result eventfd: " + AioException.of("eventfd", null, e).getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- counting

    /** Counts a request in; throws if the context is closed. */
    void reserve(Object context) {
        for (;;) {
            int state = outstanding.get();
            if ((state & CLOSED) != 0) {
                throw new IllegalStateException(context + " is closed");
            }
            if (outstanding.compareAndSet(state, state + 1)) {
                return;
            }
        }
    }

    /** Counts out a request that was reserved but never submitted. */
    void unreserve() {
        countOut();
    }

    private void countOut() {
        if ((outstanding.decrementAndGet() & COUNT) == 0) {
            wakeWaiters();
        }
    }

    int nreqs() {
        return outstanding.get() & COUNT;
    }

    boolean isClosed() {
        return (outstanding.get() & CLOSED) != 0;
    }

    /** Sets the CLOSED bit; false if it was set already. */
    boolean markClosed() {
        for (;;) {
            int state = outstanding.get();
            if ((state & CLOSED) != 0) {
                return false;
            }
            if (outstanding.compareAndSet(state, state | CLOSED)) {
                return true;
            }
        }
    }

    // ---------------------------------------------------------------- results

    /** On a worker: queues a finished request and announces it unless that was done already. */
    void post(Request<?> request) {
        results.add(request);
        if (!signalled) {
            announce();
        } else {
            // An announcement can land late, for a result pollCb has already taken; it then stays
            // up with nothing behind it until the next pollCb. The fd heals itself that way (it is
            // readable, so the loop calls pollCb), but a thread in pollWait would sleep through
            // every later result, so a sleeping waiter is woken by any result, not by announcements alone.
            wakeWaiters();
        }
    }

    /** Makes the fd readable, unless that was done already, and wakes pollWait. */
    private void announce() {
        fdLock.lock();
        try {
            if (signalled) {
                return;
            }
            signalled = true;
            if (fdWatched) {
                makeFdReadable();
            }
        } finally {
            fdLock.unlock();
        }
        wakeWaiters();
    }

    /** pollCb found the queue empty: the fd must stop being readable. */
    private void withdraw() {
        fdLock.lock();
        try {
            if (signalled && fdWatched) {
                clearEventFd();
            }
            signalled = false;
        } finally {
            fdLock.unlock();
        }
    }

    private void wakeWaiters() {
        if (asleep) {
            asleep = false;
            waitLock.lock();
            try {
                resultsChanged.signalAll();
            } finally {
                waitLock.unlock();
            }
        }
    }

    int pollFileno() {
        fdLock.lock();
        try {
            if (fdClosed) {
                // The number may belong to another file by now: watching it would watch that.
                throw new IllegalStateException("the context is closed; its eventfd " + eventFd + " is gone");
            }
            if (!fdWatched) {
                fdWatched = true;
                if (signalled) {
                    makeFdReadable();
                }
            }
        } finally {
            fdLock.unlock();
        }
        return eventFd;
    }

    int pollCb() {
        pollLock.lock();
        try {
            int limit = maxPollReqs;
            int ran = 0;
            while (limit == 0 || ran < limit) {
                if (!takeResults(limit == 0 ? Integer.MAX_VALUE : limit - ran)) {
                    return ran;
                }
                Request<?> request;
                while ((request = batch.poll()) != null) {
                    // Counted out before its callback, as libeio does, so a callback may close
                    // its own context without waiting for itself.
                    countOut();
                    request.deliver();
                    ran++;
                }
            }
            // Stopped at maxPollReqs. If nothing is left after all, the fd must not stay readable.
            if (results.isEmpty()) {
                takeResults(0);
            }
            return ran;
        } finally {
            pollLock.unlock();
        }
    }

    /**
     * Under pollLock: moves up to {@code most} results into the batch; false if there were none, in
     * which case the announcement has been withdrawn.
     *
     * <p>The fd stays readable while a batch is delivered and is cleared only when pollCb finds
     * nothing more: results that arrive meanwhile cost the workers no eventfd write and this thread
     * no eventfd read, where clearing it at each batch cost a pair of system calls per batch.
     */
    private boolean takeResults(int most) {
        Request<?> request;
        while (most-- > 0 && (request = results.poll()) != null) {
            batch.add(request);
        }
        if (!batch.isEmpty()) {
            return true;
        }
        if (signalled) {
            withdraw();
            // A result added after the queue looked empty may have seen signalled still set and
            // announced nothing; announce it now, or it would wait unseen.
            if (!results.isEmpty()) {
                announce();
            }
        }
        return false;
    }

    /** Under fdLock, with the fd watched: one write, counted, so the fd is readable. */
    private void makeFdReadable() {
        wakeups.incrementAndGet();
        Posix.eventfd_write(eventFd, 1);
    }

    private void clearEventFd() {
        try {
            Posix.eventfd_read(eventFd, new long[1]);
        } catch (LastErrorException e) {
            // EAGAIN: nothing to clear (the fd was watched only after the announcement).
            if (e.getErrorCode() != Errno.EAGAIN) {
                throw new IllegalStateException("cannot clear the result eventfd", e);
            }
        }
    }

    void pollWait() throws InterruptedException {
        if (spunUntilResults(SpinBudget.SPIN_NANOS)) {
            return;
        }
        waitLock.lock();
        try {
            while (noResultsYet()) {
                resultsChanged.await();
            }
        } finally {
            waitLock.unlock();
        }
    }

    boolean pollWait(Duration timeout) throws InterruptedException {
        long nanos = Durations.nanos(timeout);
        if (spunUntilResults(Math.min(nanos, SpinBudget.SPIN_NANOS))) {
            return true;
        }
        waitLock.lock();
        try {
            while (noResultsYet()) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = resultsChanged.awaitNanos(nanos);
            }
            return true;
        } finally {
            waitLock.unlock();
        }
    }

    /**
     * Spins for at most {@code nanos} while nothing has come, if the budget allows; true if a result
     * waits or nothing is outstanding, so pollWait need not sleep.
     */
    private boolean spunUntilResults(long nanos) {
        if (nanos <= 0 || !spinBudget.tryStart()) {
            return false;
        }
        try {
            long deadline = System.nanoTime() + nanos;
            do {
                if (!results.isEmpty() || nreqs() == 0) {
                    return true;
                }
                Thread.onSpinWait();
            } while (System.nanoTime() - deadline < 0);
            return false;
        } finally {
            spinBudget.stop();
        }
    }

    /**
     * Under waitLock: true if this thread must sleep. It says so first and then looks at the queue,
     * while a worker adds to the queue and then looks whether anyone sleeps; so one of the two
     * sees the other.
     */
    private boolean noResultsYet() {
        if (!results.isEmpty() || nreqs() == 0) {
            return false;
        }
        asleep = true;
        return results.isEmpty() && nreqs() > 0;
    }

    /** Results waiting for pollCb; counts the queue, so it is for tests and diagnostics. */
    int npending() {
        return results.size();
    }

    void maxPollReqs(int n) {
        maxPollReqs = n;
    }

    long wakeups() {
        return wakeups.get();
    }

    /** Waits for every outstanding request and runs its callback on the calling thread. */
    void drain() {
        boolean interrupted = false;
        while (nreqs() > 0) {
            try {
                pollWait(Duration.ofMillis(100));
            } catch (InterruptedException e) {
                interrupted = true; // Accepted requests must still be delivered.
            }
            pollCb();
        }
        // A callback another thread is still running holds the poll lock; let it finish.
        pollLock.lock();
        pollLock.unlock();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    void closeFd() {
        fdLock.lock();
        try {
            if (!fdClosed) {
                fdClosed = true;
                fdWatched = false; // Never write to the number again: it may belong to another file by then.
                Posix.close(eventFd);
            }
        } finally {
            fdLock.unlock();
        }
    }

    int eventFd() {
        return eventFd;
    }
}
