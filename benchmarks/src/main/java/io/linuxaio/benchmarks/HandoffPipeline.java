package io.linuxaio.benchmarks;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The JDK peers' way back to one thread: a pool thread puts each outcome on a blocking queue, and the
 * polling thread takes from it, as an event loop fed by an executor would.
 */
abstract class HandoffPipeline extends Pipeline {
    private final LinkedBlockingQueue<Completion> results = new LinkedBlockingQueue<>();
    final Completion[] completions = new Completion[DEPTH];

    HandoffPipeline(Workload workload) {
        super(workload);
        for (int i = 0; i < DEPTH; i++) {
            completions[i] = new Completion(i);
        }
    }

    /** On a pool thread: passes an outcome to the polling thread. */
    final void handOff(Completion completion, Object value, Throwable error) {
        completion.value = value;
        completion.error = error;
        results.add(completion);
    }

    @Override
    final void awaitCompletions() throws InterruptedException {
        Completion c = results.poll(STALL_LIMIT.toNanos(), TimeUnit.NANOSECONDS);
        if (c == null) {
            throw stalled(this);
        }
        do {
            if (c.error != null) {
                failed(c.slot, c.error);
            } else {
                completed(c.slot, c.value);
            }
        } while ((c = results.poll()) != null);
    }

    /** On the polling thread: what the request of {@code slot} produced. */
    abstract void completed(int slot, Object value);

    /** The outcome of one slot's request; reused, as a slot has one request in flight at a time. */
    static final class Completion {
        final int slot;
        Object value;
        Throwable error;

        Completion(int slot) {
            this.slot = slot;
        }
    }

    /** Daemon threads named {@code prefix-N}, so a stuck pool never holds the JVM open. */
    static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger number = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, prefix + "-" + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
