package io.linuxaio.examples.http;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What tests look at inside a running server, and the faults they may switch on. The server only
 * counts here, and consults the switches, which are off unless a test sets them. Thread-safe.
 */
final class Probes {
    /**
     * How many of the next openat2 calls fail with EAGAIN without being made, as if a rename raced
     * each one: for tests of the retry, which a real race gives only by chance.
     */
    final AtomicInteger eagainsToInject = new AtomicInteger();

    /** The lstats directory listings have issued, one per entry shown with a size and a date. */
    final LongAdder listingStats = new LongAdder();

    /** File bytes handed to HTTP/2 streams, as DATA to send once the stream's window lets it. */
    final LongAdder streamFileBytes = new LongAdder();

    /** Whether this openat2 call is to fail with an injected EAGAIN; takes one from the count. */
    boolean injectEagain() {
        return eagainsToInject.get() > 0 && eagainsToInject.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
    }
}
