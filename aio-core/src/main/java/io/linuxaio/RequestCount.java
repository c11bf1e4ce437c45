package io.linuxaio;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A context's requests that are submitted and not yet delivered, and whether it takes more: one
 * atomic integer, so counting costs a submission one CAS and a delivery one decrement.
 */
final class RequestCount {
    private static final int CLOSED = 1 << 30;
    private static final int COUNT = CLOSED - 1;

    private final AtomicInteger state = new AtomicInteger();

    /** Counts a request in; false, counting nothing, once {@link #close()} has been called. */
    boolean tryAdd() {
        for (;;) {
            int s = state.get();
            if ((s & CLOSED) != 0) {
                return false;
            }
            if (state.compareAndSet(s, s + 1)) {
                return true;
            }
        }
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
