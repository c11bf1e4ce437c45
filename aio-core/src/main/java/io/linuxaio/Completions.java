package io.linuxaio;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The delivery half of a completion context, shared by the context and its priority views: the
 * count of its outstanding requests, the queue of finished ones with the eventfd that announces
 * them, and pollCb and pollWait, which take them.
 *
 * <p>A finished request is added to the queue, announced on the eventfd unless it already says
 * results wait, and wakes a thread in pollWait; pollCb takes the queue in batches and runs the
 * callbacks under its lock, one thread at a time, and withdraws the announcement once the queue is
 * empty. Adding takes no lock, so a worker never waits for the poller or the other way round.
 */
final class Completions {
    final RequestCount count = new RequestCount();
    private final ResultQueue queue = new ResultQueue();
    private final ResultSignal signal = new ResultSignal();
    private final Sleepers sleepers;
    private final CallbackFailures failures;

    /** Serialises callbacks: held while pollCb runs them. */
    private final ReentrantLock pollLock = new ReentrantLock();
    private final ArrayDeque<Request<?>> batch = new ArrayDeque<>(); // guarded by pollLock
    private volatile int maxPollReqs;
    private final LongAdder added = new LongAdder();
    private volatile long taken; // written under pollLock

    Completions(SpinBudget spinBudget, CallbackFailures failures) {
        this.sleepers = new Sleepers(spinBudget);
        this.failures = failures;
    }

    /** Queues a finished request for pollCb; from any thread. */
    void add(Request<?> request) {
        added.increment();
        queue.add(request);
        if (!signal.announced()) {
            signal.announce();
        }
        // A late announcement can leave the fd up with nothing behind it until the next pollCb;
        // the fd heals itself that way, but a thread in pollWait must not sleep through this one.
        sleepers.wake();
    }

    /** A request was counted in but never submitted. */
    void uncount() {
        if (count.remove()) {
            sleepers.wake(); // a pollWait waiting for the last outstanding request returns
        }
    }

    int pollFileno() {
        return signal.watch();
    }

    int pollCb() {
        pollLock.lock();
        try {
            int limit = maxPollReqs;
            int ran = 0;
            while (limit == 0 || ran < limit) {
                if (!take(limit == 0 ? Integer.MAX_VALUE : limit - ran)) {
                    return ran;
                }
                Request<?> request;
                while ((request = batch.poll()) != null) {
                    // Counted out before its callback, as libeio does, so a callback may close
                    // its own context without waiting for itself.
                    count.remove();
                    request.deliver();
                    ran++;
                }
            }
            // Stopped at maxPollReqs. If nothing is left after all, the fd must not stay readable.
            if (queue.isEmpty()) {
                take(0);
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
    private boolean take(int most) {
        Request<?> request;
        int n = 0;
        while (n < most && (request = queue.poll()) != null) {
            batch.add(request);
            n++;
        }
        taken += n;
        if (!batch.isEmpty()) {
            return true; // a callback that drains the context runs the rest of its own batch too
        }
        if (signal.announced()) {
            signal.withdraw();
            // A result added after the queue looked empty may have seen the announcement still up
            // and announced nothing; announce it now, or it would wait unseen.
            if (!queue.isEmpty()) {
                signal.announce();
            }
        }
        return false;
    }

    void pollWait() throws InterruptedException {
        sleepers.await(this::resultsOrNoneOutstanding, Long.MAX_VALUE);
    }

    boolean pollWait(Duration timeout) throws InterruptedException {
        return sleepers.await(this::resultsOrNoneOutstanding, Durations.nanos(timeout));
    }

    private boolean resultsOrNoneOutstanding() {
        return !queue.isEmpty() || count.get() == 0;
    }

    /** Results waiting for pollCb: added and not yet taken. */
    int npending() {
        return (int) Math.max(0, added.sum() - taken);
    }

    void maxPollReqs(int n) {
        maxPollReqs = n;
    }

    /**
     * Runs pollCb on this thread until every outstanding request has been delivered; the caller
     * has closed the count, so none is added meanwhile.
     */
    void drain() {
        boolean interrupted = false;
        while (count.get() > 0) {
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

    /** After the drain: closes the eventfd. */
    void closeSignal() {
        signal.close();
    }

    /** On the polling thread: a callback of {@code request} threw. */
    void callbackThrew(AioRequest<?> request, Throwable thrown) {
        failures.threw(request, thrown);
    }

    /** Times the eventfd was made readable: one per empty-to-waiting change of the result queue. */
    long wakeups() {
        return signal.writes();
    }

    int eventFd() {
        return signal.fd();
    }
}
