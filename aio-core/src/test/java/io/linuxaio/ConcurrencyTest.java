package io.linuxaio;

import static io.linuxaio.Polling.until;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
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

    @Test
    void aPollerInPollWaitIsWokenForEveryResult() throws Exception {
        // Each callback submits the next request, as a server's would: 64 in flight for three
        // seconds. A result that arrives while the poller goes to sleep must still wake it; a lost
        // wakeup leaves results waiting until pollWait's timeout.
        aio.minParallel(2);
        aio.maxParallel(2);
        int inFlight = 64;
        AtomicInteger done = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        AioCallback<Stat> next = new AioCallback<>() {
            @Override
            public void complete(Stat stat, AioException error) {
                done.incrementAndGet();
                if (!stop.get()) {
                    aio.stat(dir.toString(), this);
                }
            }
        };
        for (int i = 0; i < inFlight; i++) {
            aio.stat(dir.toString(), next);
        }
        long end = System.nanoTime() + java.time.Duration.ofSeconds(3).toNanos();
        while (System.nanoTime() < end) {
            assertTrue(aio.pollWait(java.time.Duration.ofSeconds(1)),
                    "pollWait slept a second with " + aio.npending() + " results waiting, after " + done.get());
            aio.pollCb();
        }
        stop.set(true);
        until(aio, () -> aio.nreqs() == 0);
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
