package io.linuxaio;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
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
    /** The engine's workers, which requests cancelled in their queues are taken from. */
    final WorkerPool pool;
    private final ResultQueue queue = new ResultQueue();
    private final ResultSignal signal = new ResultSignal();
    private final Sleepers sleepers;
    private final CallbackFailures failures;
    /** The context's event loop, or null when its caller polls it. */
    private final AioPoller poller;
    /** The thread inside pollCb now, or null. */
    private volatile Thread pollingThread;
    /** A pollCb task has been handed to the poller and has not started yet. */
    private final AtomicBoolean pollScheduled = new AtomicBoolean();

    /** Serialises callbacks: held while pollCb runs them. */
    private final ReentrantLock pollLock = new ReentrantLock();
    private final ArrayDeque<Request<?>> batch = new ArrayDeque<>(); // guarded by pollLock
    /** Completed on the polling thread by the running pollCb's callbacks; guarded by pollLock. */
    private final ArrayDeque<Request<?>> deferred = new ArrayDeque<>();
    private volatile int maxPollReqs;
    private volatile long maxPollNanos;
    /** A pollCb stopped by maxPollTime left part of its batch; guarded by pollLock, read by pollWait. */
    private volatile boolean batchLeft;
    private final LongAdder added = new LongAdder();
    private volatile long taken; // written under pollLock

    /**
     * How long a drain waits for a result before it runs pollCb anyway; a bound, not a schedule,
     * since every result wakes it. Longer in a test that must see a drain never sit it out.
     */
    Duration drainPatience = Duration.ofMillis(100);

    /** Reads and closes the running pollCb's callbacks submit, made together as it ends; guarded by pollLock. */
    private final RingBatch ringBatch;

    Completions(WorkerPool pool, CallbackFailures failures, AioPoller poller, Inline inline) {
        this.pool = pool;
        this.ringBatch = new RingBatch(inline, pool);
        this.sleepers = new Sleepers(pool.spinBudget());
        this.failures = failures;
        this.poller = poller;
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

    /**
     * Queues a request finished on the thread that submitted it, by the cheapest way back into a
     * pollCb: inside pollCb already, the next pass takes it (see below); on the poller's thread, a
     * pollCb task on its queue costs no system call (Netty's loop takes its own tasks without a
     * wakeup); elsewhere, as a worker's result, through the eventfd.
     */
    void addInline(Request<?> request) {
        if (pollingThread == Thread.currentThread()) {
            // A callback of the running pollCb made it: it waits for the next pollCb, which the
            // running one arranges as it returns. Taken in the same pass, a callback that submits
            // again each time (a reader going through a cached file) would keep pollCb, and the
            // event loop calling it, from ever returning.
            added.increment();
            deferred.add(request);
            return;
        }
        if (poller != null && poller.inPoller()) {
            added.increment();
            queue.add(request);
            schedulePoll();
            return;
        }
        add(request);
    }

    /** Whether the calling thread is running this context's pollCb (a callback of it submits). */
    boolean inPollCb() {
        return pollingThread == Thread.currentThread();
    }

    /** From a callback of the running pollCb: a read or close to make with the others as pollCb ends (opens: {@link #batchOpen}). */
    void batch(RingBatch.Batched call) {
        ringBatch.add(call);
    }

    /**
     * An open tried first, made with the others of its batch: those of the running pollCb's
     * callbacks as it ends, or, on the poller's thread outside a pollCb (an event loop handing on
     * what its channels read), those of the loop's pass as the pollCb it schedules starts. False,
     * with nothing done, where neither is to hand: it is then made alone.
     */
    boolean batchOpen(RingBatch.BatchedOpen<?> open) {
        if (pollingThread == Thread.currentThread()) {
            open.joinsBatch();
            ringBatch.add(open);
            return true;
        }
        if (poller == null || !poller.inPoller() || !pollLock.tryLock()) {
            return false; // a thread of the caller's, or another thread's pollCb using the batch now
        }
        try {
            open.joinsBatch();
            ringBatch.add(open);
        } finally {
            pollLock.unlock();
        }
        schedulePoll();
        return true;
    }

    /** On the poller's thread, with results queued: a pollCb task on the poller, unless one is on its way. */
    private void schedulePoll() {
        if (pollScheduled.compareAndSet(false, true)) {
            try {
                poller.execute(this::scheduledPoll);
            } catch (RejectedExecutionException stopped) {
                pollScheduled.set(false);
                announce();
            }
        }
    }

    private void scheduledPoll() {
        pollScheduled.set(false);
        pollCb();
    }

    /** Results wait that nobody was told of: make the fd readable and wake pollWait. */
    private void announce() {
        if (!signal.announced()) {
            signal.announce();
        }
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
        Thread outer = pollingThread;
        pollingThread = Thread.currentThread();
        try {
            if (outer == null && ringBatch.pending()) {
                makeOpensBatchedOutside();
            }
            int limit = maxPollReqs;
            long maxNanos = maxPollNanos;
            long deadline = maxNanos == 0 ? 0 : System.nanoTime() + maxNanos;
            int ran = 0;
            int handled = 0;
            while (limit == 0 || handled < limit) {
                if (!take(limit == 0 ? Integer.MAX_VALUE : limit - handled)) {
                    return ran;
                }
                Request<?> request;
                while ((request = batch.poll()) != null) {
                    // Counted out before its callback (in deliver), as libeio does, so a callback
                    // may close its own context without waiting for itself.
                    ran += request.deliver();
                    handled++;
                    if (handled == limit || deadline != 0 && System.nanoTime() - deadline >= 0) {
                        return stoppedEarly(ran);
                    }
                }
            }
            return stoppedEarly(ran);
        } finally {
            ringBatch.flush(); // what it finishes joins the deferred results below
            pollingThread = outer;
            if (!deferred.isEmpty()) {
                queueDeferred();
            }
            pollLock.unlock();
        }
    }

    /**
     * Under pollLock, as pollCb starts: makes the opens batched on the poller's thread since the
     * last pollCb ({@link #batchOpen}), and queues what they finished for this pollCb to deliver.
     */
    private void makeOpensBatchedOutside() {
        ringBatch.flush();
        Request<?> request;
        while ((request = deferred.poll()) != null) {
            queue.add(request);
        }
    }

    /**
     * Stopped at maxPollReqs or maxPollTime. If nothing is left after all, the fd must not stay
     * readable; if results are left, it must be, even for those added here without a word.
     */
    private int stoppedEarly(int ran) {
        if (!batch.isEmpty()) {
            // Left for the next pollCb, and still pending meanwhile: pollWait must see them.
            taken -= batch.size();
            batchLeft = true;
        }
        if (batch.isEmpty() && queue.isEmpty()) {
            take(0);
        } else {
            announce();
        }
        return ran;
    }

    /** Under pollLock, as pollCb returns: what its callbacks completed here, for the next pollCb. */
    private void queueDeferred() {
        Request<?> request;
        while ((request = deferred.poll()) != null) {
            queue.add(request);
        }
        if (poller != null && poller.inPoller()) {
            schedulePoll();
        } else {
            announce();
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
        if (batchLeft) {
            n = batch.size(); // what the last pollCb left: this one takes it first
            batchLeft = false;
        }
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
        return !queue.isEmpty() || batchLeft || count.get() == 0;
    }

    /**
     * Results in the queue that pollCb can take now: {@link #npending} counts a result as its
     * worker starts adding it, this once it is linked. Walks the queue; on the polling thread, for tests.
     */
    int linked() {
        return queue.size();
    }

    /** Results waiting for pollCb: added and not yet delivered. */
    int npending() {
        return (int) Math.max(0, added.sum() - taken);
    }

    void maxPollReqs(int n) {
        maxPollReqs = n;
    }

    void maxPollTime(long nanos) {
        maxPollNanos = nanos;
    }

    /**
     * Runs pollCb on this thread until every outstanding request has been delivered; the caller
     * has closed the count, so none is added meanwhile.
     */
    void drain() {
        boolean interrupted = false;
        while (count.get() > 0) {
            try {
                if (!finishedHere()) {
                    pollWait(drainPatience);
                }
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

    /**
     * Whether this thread is inside a pollCb whose callbacks finished requests here, or calls wait
     * in a batch: no wait sees those until a pollCb ends (or starts, for opens batched by the loop),
     * so a drain called then (a context closed by its own callback, or by the loop's thread) runs
     * pollCb at once rather than sit out its patience.
     */
    private boolean finishedHere() {
        if (pollingThread == Thread.currentThread() && !deferred.isEmpty()) {
            return true;
        }
        if (!pollLock.tryLock()) {
            return false;
        }
        try {
            return ringBatch.pending(); // made by a pollCb only, that of a callback or one the loop has yet to run
        } finally {
            pollLock.unlock();
        }
    }

    /** After the drain: closes the eventfd, and the ring of its batches. */
    void closeSignal() {
        pollLock.lock();
        try {
            ringBatch.close();
        } finally {
            pollLock.unlock();
        }
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
