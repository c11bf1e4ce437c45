package io.linuxaio;

import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * Threads in pollWait, and waking them. Before it sleeps, a waiter spins for a few microseconds
 * when the {@link SpinBudget} leaves it a core: a result that comes meanwhile then costs no futex
 * call on either side.
 *
 * <p>The lock is taken to sleep and to wake sleepers, never by a thread that adds a result while
 * nobody sleeps: a waiter says it sleeps and then looks whether it must, while the adding thread
 * adds and then looks whether anyone sleeps, so one of the two always sees the other.
 */
final class Sleepers {
    private final SpinBudget spinBudget;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Set by a waiter before it sleeps, cleared by the first wake: later results cost nothing. */
    private volatile boolean asleep;

    Sleepers(SpinBudget spinBudget) {
        this.spinBudget = spinBudget;
    }

    /**
     * Returns once {@code ready} holds or {@code nanos} have passed; true if it holds.
     * {@code ready} must turn true only with a {@link #wake()} after it.
     */
    boolean await(BooleanSupplier ready, long nanos) throws InterruptedException {
        if (ready.getAsBoolean() || spun(ready, Math.min(nanos, SpinBudget.SPIN_NANOS))) {
            return true;
        }
        lock.lock();
        try {
            for (;;) {
                asleep = true;
                if (ready.getAsBoolean()) {
                    return true;
                }
                if (nanos <= 0) {
                    return false;
                }
                nanos = changed.awaitNanos(nanos);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every sleeping waiter; costs nothing while none sleeps. */
    void wake() {
        if (asleep) {
            asleep = false;
            lock.lock();
            try {
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Spins for at most {@code nanos} if the budget allows; true if {@code ready} came to hold. */
    private boolean spun(BooleanSupplier ready, long nanos) {
        if (nanos <= 0 || !spinBudget.tryStart()) {
            return false;
        }
        try {
            long deadline = System.nanoTime() + nanos;
            do {
                Thread.onSpinWait();
                if (ready.getAsBoolean()) {
                    return true;
                }
            } while (System.nanoTime() - deadline < 0);
            return false;
        } finally {
            spinBudget.stop();
        }
    }
}
