package io.linuxaio;

import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The request queues and the worker threads that serve them, shared by every context of an engine.
 *
 * <p>There is one FIFO queue per priority, from IO::AIO's 4 down to -4;
 * a worker takes the oldest request of the highest priority that has one, as libeio does.
 *
 * <p>Workers start on demand, up to {@code max}. The first {@value #EAGER_WORKERS} start as soon as a
 * request finds no idle worker. Beyond that, the {@link StallMonitor} starts workers only while
 * requests wait because workers sleep in the kernel (a slow disk), never because they wait for a
 * core (page-cached work on a busy CPU). {@code min} workers stay alive, and idle ones above that
 * retire after the idle timeout. Workers above {@code max} leave after their current request,
 * except that with {@code max == 0} they first drain the queue, as Perl's {@code max_parallel 0}
 * does.
 *
 * <p>Submitting and taking are lock-free (the queues, a counter and a stack of idle workers), so the
 * submitting thread and the workers never wait for each other's lock; the lock only guards
 * starting and stopping workers. An idle worker is woken when work arrives in an empty queue, and a
 * worker that takes a request while more wait wakes the next idle one, so a burst of submissions
 * costs the submitter one wakeup, not one per request.
 */
final class WorkerPool {
    /** Queues, one per priority from 4 down to -4; a request's {@code level} is its queue. */
    static final int LEVELS = 9;
    static final int EAGER_WORKERS = 8;
    /** How often the stall monitor looks, and so how long a request waits before it counts as stalled. */
    static final long STALL_MILLIS = 1;
    private static final AtomicInteger THREAD_NUMBER = new AtomicInteger();

    /** Index 0 is the highest priority. */
    @SuppressWarnings("unchecked")
    private final ConcurrentLinkedQueue<Request<?>>[] queues = new ConcurrentLinkedQueue[LEVELS];
    /** Requests in the queues, less those cancelled there; briefly off by the ones being added or taken right now. */
    private final AtomicInteger queued = new AtomicInteger();
    /** Requests cancelled in the queues since they were last swept; more or less, as it only decides when to sweep. */
    private final AtomicInteger cancelledSinceSweep = new AtomicInteger();
    private static final int SWEEP_AFTER = 1024;
    /** Workers waiting for work, the most recently idle first: they are the ones still warm. */
    private final ConcurrentLinkedDeque<Worker> idle = new ConcurrentLinkedDeque<>();
    /** The size of {@link #idle}, kept apart because counting a deque walks it. Briefly off by one. */
    private final AtomicInteger idleCount = new AtomicInteger();
    /** Every worker alive; changed under the lock, read by anyone (its size is the pool's size). */
    private final CopyOnWriteArrayList<Worker> workers = new CopyOnWriteArrayList<>();
    private final AtomicLong submitWakeups = new AtomicLong();
    /** Workers the stall monitor has started, in all; written under the lock. */
    private volatile long startedOnStalls;
    /** Workers started that have not yet come to take their first request. */
    private final AtomicInteger starting = new AtomicInteger();
    private final StallMonitor monitor = new StallMonitor(this);
    private final SpinBudget spinBudget =
            new SpinBudget(Runtime.getRuntime().availableProcessors(), this::busyWorkers);
    private boolean monitorStarted; // guarded by lock

    /** Guards starting and stopping workers; every field below is written under it. */
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition workerExited = lock.newCondition();
    private volatile int min;
    private volatile int max;
    private volatile long idleTimeoutNanos;
    private volatile int maxIdle;
    /** Times a worker's idle timeout ended and it was kept (min or maxIdle); for tests. */
    final AtomicLong keptIdle = new AtomicLong();
    private volatile boolean stopping;

    WorkerPool(int min, int max, long idleTimeoutNanos) {
        this.min = min;
        this.max = max;
        this.idleTimeoutNanos = idleTimeoutNanos;
        for (int i = 0; i < LEVELS; i++) {
            queues[i] = new ConcurrentLinkedQueue<>();
        }
    }

    void submit(Request<?> request) {
        queues[request.level].add(request);
        if (queued.incrementAndGet() == 1 && wakeIdle()) {
            submitWakeups.incrementAndGet();
            return;
        }
        growIfWanted();
    }

    /** On a worker: the next request, or null when this worker must exit. */
    Request<?> take(Worker self) {
        if (!self.started) {
            self.started = true;
            starting.decrementAndGet();
        }
        for (;;) {
            if ((stopping || started() > max) && exited(self)) {
                return null;
            }
            Request<?> next = poll();
            if (next != null) {
                self.current = next;
                if (queued.get() > 0 && !wakeIdle()) {
                    growIfWanted();
                }
                return next;
            }
            self.current = null;
            if (!awaitWork(self)) {
                return null;
            }
        }
    }

    /** Leaves the pool if the limits or a stop say so; true if this worker has left. */
    private boolean exited(Worker self) {
        lock.lock();
        try {
            if (mustExit()) {
                exit(self);
                return true;
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** The oldest request of the highest priority that has one, passing by those cancelled while they waited. */
    private Request<?> poll() {
        for (ConcurrentLinkedQueue<Request<?>> queue : queues) {
            Request<?> request;
            while ((request = queue.poll()) != null) {
                if (request.claim()) {
                    queued.decrementAndGet();
                    return request;
                }
            }
        }
        return null;
    }

    /**
     * A request was cancelled while it waited: it is no longer counted as queued, and stays in its
     * queue until a worker passes it by. So cancelling is O(1) whatever its place in the queue;
     * should cancelled requests come to outnumber the live ones while no worker takes any (every
     * worker busy), the canceller sweeps them out, which costs O(1) a cancel spread over the
     * cancels since the last sweep.
     */
    void cancelledInQueue(Request<?> request) {
        queued.decrementAndGet();
        int dead = cancelledSinceSweep.incrementAndGet();
        if (dead >= SWEEP_AFTER && dead > queued.get()) {
            cancelledSinceSweep.set(0);
            for (ConcurrentLinkedQueue<Request<?>> queue : queues) {
                queue.removeIf(Request::cancelledInQueue);
            }
        }
    }

    /**
     * Parks an idle worker until it is handed work or its idle timeout ends. False when it retired.
     * The worker joins the idle stack before it looks at the queue a last time; a submitter adds to
     * the queue before it looks at the stack; so one of the two always sees the other.
     */
    private boolean awaitWork(Worker self) {
        self.woken = false;
        idleCount.incrementAndGet();
        idle.push(self);
        if (queued.get() > 0 || stopping || started() > max) {
            if (!leftIdle(self)) {
                awaitWake(self); // A submitter took us off the stack and is about to unpark us.
            }
            return true;
        }
        long deadline = System.nanoTime() + idleTimeoutNanos;
        while (!self.woken) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                if (retiredIdle(self)) {
                    return false;
                }
                keptIdle.incrementAndGet();
                deadline = System.nanoTime() + idleTimeoutNanos; // kept: idle on, still on the stack
                continue;
            }
            LockSupport.parkNanos(this, left);
        }
        return true;
    }

    /** Takes this worker off the idle stack itself; false if a waker took it off first. */
    private boolean leftIdle(Worker self) {
        if (idle.remove(self)) {
            idleCount.decrementAndGet();
            return true;
        }
        return false;
    }

    private static void awaitWake(Worker self) {
        while (!self.woken) {
            LockSupport.park(self);
        }
    }

    /**
     * At the end of its idle timeout, still on the idle stack: leaves if nothing waits, more than
     * {@code min} workers are alive and {@code maxIdle} others are idle (IO::AIO's rule), and no
     * submitter has taken it off the stack meanwhile. Under the lock, so two timing out at once
     * count each other right.
     */
    private boolean retiredIdle(Worker self) {
        lock.lock();
        try {
            if (queued.get() == 0 && started() > min && idleCount.get() - 1 >= maxIdle && leftIdle(self)) {
                exit(self);
                return true;
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Hands the most recently idle worker the work that just arrived; false if none is idle. */
    private boolean wakeIdle() {
        Worker worker = idle.pollFirst();
        if (worker == null) {
            return false;
        }
        idleCount.decrementAndGet();
        worker.woken = true;
        LockSupport.unpark(worker.thread);
        return true;
    }

    private void wakeAllIdle() {
        while (wakeIdle()) {
            // Each one looks again at the queue, the limits and its timeout.
        }
    }

    /** A request waits and no worker is idle: start one, or leave it to the stall monitor. */
    private void growIfWanted() {
        int n = started();
        boolean drainWithoutWorkers = n == 0 && stopping;
        if (n >= max && !drainWithoutWorkers || !idle.isEmpty()) {
            return;
        }
        if (n >= EAGER_WORKERS) {
            monitor.nudge();
            return;
        }
        lock.lock();
        try {
            if ((started() < max || started() == 0 && stopping) && queued.get() > 0 && idle.isEmpty()) {
                startWorker();
            }
        } finally {
            lock.unlock();
        }
    }

    boolean isStopping() {
        return stopping;
    }

    boolean requestsWaitWithNoIdleWorker() {
        return queued.get() > 0 && idle.isEmpty();
    }

    /** The oldest request of each queue, highest priority first (null where a queue is empty); for the stall monitor. */
    Request<?>[] queueHeads() {
        Request<?>[] heads = new Request<?>[LEVELS];
        for (int i = 0; i < LEVELS; i++) {
            heads[i] = queues[i].peek();
        }
        return heads;
    }

    /** Every worker alive now; for the stall monitor. */
    Iterable<Worker> workers() {
        return workers;
    }

    /** On the stall monitor: starts up to {@code n} more workers, no more than requests wait and {@code max} allows. */
    void startStalled(int n) {
        lock.lock();
        try {
            // A worker started at an earlier look may not have reached the queue yet (a thread
            // takes a while to start on a busy machine): it will take one of the waiting requests.
            int more = Math.min(Math.min(n, queued.get() - starting.get()), max - started());
            for (int i = 0; i < more && !stopping; i++) {
                // Counted before the thread starts: it may serve the stalled request at once, and
                // the request's callback read the count, before the line after start() runs.
                startedOnStalls++;
                try {
                    startWorker();
                } catch (RuntimeException | Error notStarted) {
                    startedOnStalls--;
                    throw notStarted;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock. */
    private boolean mustExit() {
        if (queued.get() == 0) {
            return stopping || started() > max;
        }
        return !stopping && max > 0 && started() > max;
    }

    /** Under the lock. */
    private void exit(Worker self) {
        workers.remove(self);
        workerExited.signalAll();
        // Another worker may be waiting to learn it is now also surplus, or that the queue drained.
        wakeAllIdle();
    }

    /** Under the lock. */
    private void startWorker() {
        starting.incrementAndGet();
        Worker worker = new Worker(this);
        Thread thread = new Thread(worker, "aio-worker-" + THREAD_NUMBER.incrementAndGet());
        thread.setDaemon(true);
        worker.thread = thread;
        workers.add(worker);
        thread.start();
        if (started() >= EAGER_WORKERS && max > EAGER_WORKERS && !monitorStarted) {
            monitorStarted = true;
            monitor.start();
        }
    }

    void setMin(int n) {
        lock.lock();
        try {
            min = n;
            while (started() < Math.min(min, max)) {
                startWorker();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Lowers or raises the limit; blocks until at most {@code n} workers remain. */
    void setMax(int n) throws InterruptedException {
        lock.lock();
        try {
            max = n;
            while (queued.get() > idle.size() && started() < Math.min(max, Math.max(EAGER_WORKERS, min))) {
                startWorker();
            }
            wakeAllIdle();
            while (started() > max) {
                workerExited.await();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Idle workers kept past their idle timeout beyond {@code min}; the others look again at once. */
    void setMaxIdle(int n) {
        maxIdle = n;
        wakeAllIdle();
    }

    void setIdleTimeout(long nanos) {
        idleTimeoutNanos = nanos;
        wakeAllIdle();
    }

    /**
     * From now on workers run every queued request, whatever {@code max} says (even 0), and leave
     * once the queues are empty; a request submitted later still gets a worker.
     */
    void stop() {
        lock.lock();
        try {
            stopping = true;
            monitor.stop();
            if (started() == 0 && queued.get() > 0) {
                startWorker();
            }
            wakeAllIdle();
        } finally {
            lock.unlock();
        }
    }

    /** After {@link #stop()}: blocks until every worker has gone. */
    void awaitStopped() {
        lock.lock();
        try {
            boolean interrupted = false;
            while (started() > 0) {
                try {
                    workerExited.await(100, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    interrupted = true; // A close must finish, or accepted writes would be lost.
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Workers started because requests waited on workers asleep in the kernel, since the pool began. */
    long startedOnStalls() {
        return startedOnStalls;
    }

    /** Workers alive: started and not yet exited. */
    int started() {
        return workers.size();
    }

    /** Workers running a request or about to take one: alive and not idle. */
    int busyWorkers() {
        return Math.max(0, started() - idleCount.get());
    }

    SpinBudget spinBudget() {
        return spinBudget;
    }

    /** Times submit() woke an idle worker (the queue went from empty to non-empty). */
    long submitWakeups() {
        return submitWakeups.get();
    }

    /** Workers parked waiting for work; counts the stack, so it is for tests. */
    int idle() {
        return idle.size();
    }

    int queued() {
        return Math.max(0, queued.get());
    }

    /** Requests in the queues, cancelled ones not yet passed by included; walks them, so it is for tests. */
    int waitingNodes() {
        int n = 0;
        for (ConcurrentLinkedQueue<Request<?>> queue : queues) {
            n += queue.size();
        }
        return n;
    }
}
