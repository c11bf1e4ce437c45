package io.linuxaio;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The request queue and the worker threads that serve it, shared by every context of an engine.
 *
 * <p>Workers start on demand, up to {@code max}, while requests wait for an idle one; {@code min} of
 * them stay alive, and idle ones above that retire after the idle timeout. Workers above
 * {@code max} leave after their current request, except that with {@code max == 0} they first drain
 * the queue, as Perl's {@code max_parallel 0} does.
 */
final class WorkerPool {
    private static final AtomicInteger THREAD_NUMBER = new AtomicInteger();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition workAvailable = lock.newCondition();
    private final Condition workerExited = lock.newCondition();
    private final ArrayDeque<Request<?>> queue = new ArrayDeque<>();

    private int min;
    private int max;
    private long idleTimeoutNanos;
    private int started;
    private int idle;
    private boolean stopping;
    private long submitWakeups;

    WorkerPool(int min, int max, long idleTimeoutNanos) {
        this.min = min;
        this.max = max;
        this.idleTimeoutNanos = idleTimeoutNanos;
    }

    void submit(Request<?> request) {
        lock.lock();
        try {
            queue.add(request);
            if (queue.size() > idle && (started < max || started == 0 && stopping)) {
                startWorker();
            } else if (queue.size() == 1) {
                // Wake one idle worker when work appears; take() passes the wakeup on while more
                // waits. Waking one per request made a burst of submissions cost the submitter a
                // futex wake each and woke workers that running ones would have served.
                submitWakeups++;
                workAvailable.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** On a worker: the next request, or null when this worker must exit. */
    Request<?> take() {
        lock.lock();
        try {
            for (;;) {
                if (mustExit()) {
                    return exit();
                }
                Request<?> next = queue.poll();
                if (next != null) {
                    if (!queue.isEmpty() && idle > 0) {
                        workAvailable.signal();
                    }
                    return next;
                }
                idle++;
                long left;
                try {
                    left = workAvailable.awaitNanos(idleTimeoutNanos);
                } catch (InterruptedException e) {
                    left = 1; // Nobody interrupts workers on purpose; just look at the queue again.
                } finally {
                    idle--;
                }
                if (left <= 0 && queue.isEmpty() && started > min) {
                    return exit();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private boolean mustExit() {
        if (queue.isEmpty()) {
            return stopping || started > max;
        }
        return !stopping && max > 0 && started > max;
    }

    private Request<?> exit() {
        started--;
        workerExited.signalAll();
        // Another worker may be waiting to learn it is now also surplus, or that the queue drained.
        workAvailable.signalAll();
        return null;
    }

    private void startWorker() {
        Thread thread = new Thread(new Worker(this), "aio-worker-" + THREAD_NUMBER.incrementAndGet());
        thread.setDaemon(true);
        thread.start();
        started++;
    }

    void setMin(int n) {
        lock.lock();
        try {
            min = n;
            while (started < Math.min(min, max)) {
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
            while (queue.size() > idle && started < max) {
                startWorker();
            }
            workAvailable.signalAll();
            while (started > max) {
                workerExited.await();
            }
        } finally {
            lock.unlock();
        }
    }

    void setIdleTimeout(long nanos) {
        lock.lock();
        try {
            idleTimeoutNanos = nanos;
            workAvailable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Runs every queued request, then stops every worker; blocks until they are gone. */
    void drainAndStop() {
        lock.lock();
        try {
            stopping = true;
            if (started == 0 && !queue.isEmpty()) {
                startWorker();
            }
            workAvailable.signalAll();
            boolean interrupted = false;
            while (started > 0) {
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

    int started() {
        lock.lock();
        try {
            return started;
        } finally {
            lock.unlock();
        }
    }

    /** Times submit() woke an idle worker (the queue went from empty to non-empty). */
    long submitWakeups() {
        lock.lock();
        try {
            return submitWakeups;
        } finally {
            lock.unlock();
        }
    }

    int queued() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }
}
