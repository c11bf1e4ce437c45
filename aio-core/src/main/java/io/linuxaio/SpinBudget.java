package io.linuxaio;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * Says whether a thread about to wait in {@code pollWait} may first spin for a few microseconds,
 * and counts the threads that do. One per engine, shared by its contexts; any thread may call it.
 *
 * <p>Sleeping costs each result a futex wake on the worker and a wake-up on the poller. On
 * page-cached reads that is about a third of the request's CPU time, paid on the worker, which is
 * the bottleneck when workers are few. A poller that spins while the next result is on its way
 * takes it without either. But a spinning thread holds a core: with as many busy workers as cores
 * it would take CPU time from them, and the workers would serve fewer requests. So a poller may
 * spin only while some worker is busy (else no result is coming) and the busy workers and the
 * other spinning pollers leave a core free for it.
 * Threads of the application are not counted; the spin is short enough that being wrong about
 * them costs at most {@link #SPIN_NANOS} per wait.
 */
final class SpinBudget {
    /** Longest spin before sleeping: two or three page-cached reads' worth. */
    static final long SPIN_NANOS = 10_000;

    private final int cores;
    private final IntSupplier busyWorkers;
    private final AtomicInteger spinners = new AtomicInteger();

    SpinBudget(int cores, IntSupplier busyWorkers) {
        this.cores = cores;
        this.busyWorkers = busyWorkers;
    }

    /** Counts the caller in as a spinner if a core is free for it; false if it must sleep at once. */
    boolean tryStart() {
        for (;;) {
            int spinning = spinners.get();
            int busy = busyWorkers.getAsInt();
            // With no worker busy no result is on its way; otherwise each busy worker and each
            // spinner needs a core, and so does this thread.
            if (busy == 0 || busy + spinning + 1 > cores) {
                return false;
            }
            if (spinners.compareAndSet(spinning, spinning + 1)) {
                return true;
            }
        }
    }

    /** The caller, counted in by {@link #tryStart()}, has stopped spinning. */
    void stop() {
        spinners.decrementAndGet();
    }

    int spinners() {
        return spinners.get();
    }
}
