package io.linuxaio;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A context's requests that are submitted and not yet delivered, and whether it takes more: one
 * atomic integer, so counting costs a submission one CAS and a delivery one decrement. A limit
 * ({@link #limit(int)}, the context's {@code maxOutstanding}) refuses requests while that many are
 * counted.
 */
final class RequestCount {
    private static final int CLOSED = 1 << 30;
    private static final int COUNT = CLOSED - 1;

    private final AtomicInteger state = new AtomicInteger();
    private volatile int limit = COUNT;

    /** Counts a request in; false, counting nothing, once {@link #close()} has been called or while the limit is reached. */
    boolean tryAdd() {
        return tryAdd(limit);
    }

    /** As {@link #tryAdd()}, whatever the limit: for a close, which frees rather than takes. */
    boolean tryAddBeyondLimit() {
        return tryAdd(COUNT);
    }

    private boolean tryAdd(int most) {
        for (;;) {
            int s = state.get();
            if ((s & CLOSED) != 0 || (s & COUNT) >= most) {
                return false;
            }
            if (state.compareAndSet(s, s + 1)) {
                return true;
            }
        }
    }

    /**
     * Counts a request in even after {@link #close()}: for work the engine owes a request that is
     * still counted (the close of a file a cancelled open returned, the next step of a copy), so
     * the count cannot reach 0 in between.
     */
    void forceAdd() {
        state.incrementAndGet();
    }

    /** Refuses requests while {@code most} are counted; 0 for no limit. */
    void limit(int most) {
        limit = most == 0 ? COUNT : most;
    }

    /** Counts one out, delivered or never submitted; true if none is left. */
    boolean remove() {
        return (state.decrementAndGet() & COUNT) == 0;
    }

    int get() {
        return state.get() & COUNT;
    }

    boolean isClosed() {
        return (state.get() & CLOSED) != 0;
    }

    /** Takes no more requests from now on; false if that was so already. */
    boolean close() {
        return (state.getAndUpdate(s -> s | CLOSED) & CLOSED) == 0;
    }
}
