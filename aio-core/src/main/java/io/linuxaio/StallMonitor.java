package io.linuxaio;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The thread that grows the pool past its eager workers, and only while requests wait because
 * workers are stuck in the kernel, as Go's runtime adds threads for those blocked in system calls.
 *
 * <p>It sleeps until a request finds no idle worker in a pool that has its eager workers already
 * ({@link #nudge()}). Then, every {@value WorkerPool#STALL_MILLIS} ms while requests keep waiting,
 * it looks at the queues: if a request is still at the head of its queue since the last look, it
 * counts the busy workers found asleep in the kernel ({@link KernelState}) at this look and the one
 * before, on the same request, and starts as many more, up to the waiting requests and the pool's
 * limit. Workers that are busy but runnable are waiting for a core, and more threads
 * would only share the same cores, so they are not counted: page-cached work never grows the pool.
 */
final class StallMonitor implements Runnable {
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(WorkerPool.STALL_MILLIS);

    private final WorkerPool pool;
    private final Thread thread;
    /** Set by a nudge, cleared by the monitor when nothing waits any more. */
    private volatile boolean active;

    StallMonitor(WorkerPool pool) {
        this.pool = pool;
        this.thread = new Thread(this, "aio-pool-monitor");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** A request waits with no idle worker: look at the pool from now on, until none waits. */
    void nudge() {
        if (!active) {
            active = true;
            LockSupport.unpark(thread);
        }
    }

    /** Wakes the monitor so it sees the pool stopping and ends. */
    void stop() {
        LockSupport.unpark(thread);
    }

    @Override
    public void run() {
        try (KernelState kernel = new KernelState()) {
            while (!pool.isStopping()) {
                if (!active) {
                    LockSupport.park(this);
                    continue;
                }
                LockSupport.parkNanos(this, TICK_NANOS);
                if (!pool.growIfStuck(kernel)) {
                    active = false;
                    // A nudge between the look and the line above would be lost: look once more.
                    if (pool.requestsWaitWithNoIdleWorker()) {
                        active = true;
                    }
                }
            }
        }
    }
}
