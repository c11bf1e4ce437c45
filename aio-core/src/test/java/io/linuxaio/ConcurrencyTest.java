package io.linuxaio;

import static io.linuxaio.Polling.until;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many submitters, several pollers, several contexts: nothing lost, nothing delivered twice or elsewhere. */
class ConcurrencyTest {
    @TempDir Path dir;
    private final LinuxAio aio = new LinuxAio();

    {
        // About workers and pollers running at once: every request must go to a worker, none be completed on the submitting thread.
        aio.inline(false);
    }

    @AfterEach
    void closeEngine() {
        aio.close();
    }

    @Test
    void eightSubmittingThreadsAndOnePollerLoseNothing() throws Exception {
        int threads = 8, each = 2_000;
        AtomicIntegerArray calls = new AtomicIntegerArray(threads * each);
        CountDownLatch start = new CountDownLatch(1);
        Thread[] submitters = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int base = t * each;
            submitters[t] = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < each; i++) {
                    int n = base + i;
                    aio.stat(dir.toString(), (s, e) -> calls.incrementAndGet(n));
                }
            });
            submitters[t].start();
        }
        aio.maxParallel(4);
        start.countDown();
        for (Thread submitter : submitters) {
            submitter.join();
        }
        until(aio, () -> aio.nreqs() == 0);
        for (int i = 0; i < calls.length(); i++) {
            assertEquals(1, calls.get(i), "callback " + i);
        }
    }

    /**
     * A poller asleep in pollWait, with no timeout to save it, is woken by a worker's result. Where
     * the result lands against the poller's last look before it sleeps is forced in SleepersTest;
     * this is the whole path, from the worker's add to the poller's return.
     */
    @Test
    void aPollerAsleepInPollWaitIsWokenByAResult() throws Exception {
        try (BlockedWorkers blocked = BlockedWorkers.occupy(aio, dir, 1)) {
            CompletableFuture<Void> returned = new CompletableFuture<>();
            Thread poller = new Thread(() -> {
                try {
                    aio.pollWait();
                    returned.complete(null);
                } catch (Throwable t) {
                    returned.completeExceptionally(t);
                }
            }, "poller");
            poller.start();
            try {
                Polling.eventually("the poller sleeps", () -> poller.getState() == Thread.State.TIMED_WAITING
                        || poller.getState() == Thread.State.WAITING);
                assertFalse(returned.isDone(), "nothing has finished yet");
                blocked.release(); // the open returns: its result wakes the poller
                returned.get(60, TimeUnit.SECONDS);
                assertEquals(1, aio.npending());
            } finally {
                poller.interrupt();
                poller.join();
            }
        }
    }

    @Test
    void callbacksOfOneContextNeverOverlapWhenSeveralThreadsPoll() throws Exception {
        int total = 20_000;
        AtomicInteger inside = new AtomicInteger();
        AtomicBoolean overlapped = new AtomicBoolean();
        AtomicInteger delivered = new AtomicInteger();
        for (int i = 0; i < total; i++) {
            aio.stat(dir.toString(), (s, e) -> {
                if (inside.incrementAndGet() != 1) {
                    overlapped.set(true);
                }
                delivered.incrementAndGet();
                inside.decrementAndGet();
            });
        }
        Thread[] pollers = new Thread[3];
        for (int p = 0; p < pollers.length; p++) {
            pollers[p] = new Thread(() -> until(aio, () -> delivered.get() == total));
            pollers[p].start();
        }
        for (Thread poller : pollers) {
            poller.join();
        }
        assertEquals(total, delivered.get());
        assertFalse(overlapped.get(), "two callbacks of one context ran at the same time");
    }

    @Test
    void aContextDeliversOnlyItsOwnCallbacks() throws Exception {
        AioContext first = aio.newContext();
        AioContext second = aio.newContext();
        assertNotEquals(first.pollFileno(), second.pollFileno());
        AtomicInteger firstCalls = new AtomicInteger();
        AtomicInteger secondCalls = new AtomicInteger();
        for (int i = 0; i < 500; i++) {
            first.stat(dir.toString(), (s, e) -> firstCalls.incrementAndGet());
            second.stat(dir.toString(), (s, e) -> secondCalls.incrementAndGet());
        }
        until(first, () -> firstCalls.get() == 500);
        assertEquals(0, secondCalls.get(), "polling the first context ran none of the second's");
        assertEquals(0, aio.pollCb(), "the default context has none of them");
        assertEquals(500, second.nreqs());
        until(second, () -> secondCalls.get() == 500);
        assertEquals(500, firstCalls.get());
        first.close();
        second.close();
    }
}
