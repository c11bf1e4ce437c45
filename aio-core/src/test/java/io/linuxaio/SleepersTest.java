package io.linuxaio;

import static io.linuxaio.Polling.eventually;
import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * pollWait's sleep: a result that comes while a poller goes to sleep wakes it, whichever side of
 * the poller's last look it lands on. Each test stops the poller inside its look at the result to
 * put the result there, and waits with no timeout, so a lost wakeup is a poller that never returns.
 */
class SleepersTest {
    /** No core to spin on: the waiter goes straight to sleep. */
    private final Sleepers sleepers = new Sleepers(new SpinBudget(1, () -> 0));
    private final AtomicBoolean result = new AtomicBoolean();

    /** Adds the result as a worker does: first the result, then the wake. */
    private void addResult() {
        result.set(true);
        sleepers.wake();
    }

    @Test
    void aResultAddedAfterThePollersLastLookWakesItOnceItSleeps() throws Exception {
        AtomicInteger looks = new AtomicInteger();
        Thread[] adder = new Thread[1];
        BooleanSupplier ready = () -> {
            boolean now = result.get();
            // Look 1 is made before the poller says it sleeps, look 2 after: this one decides that
            // it sleeps. The result comes now; its wake must wait for the sleep, not miss it.
            if (looks.incrementAndGet() == 2) {
                adder[0] = new Thread(this::addResult, "adder");
                adder[0].start();
                eventually("the adder waits to wake the poller, or has given up on it",
                        () -> adder[0].getState() == Thread.State.WAITING || !adder[0].isAlive());
            }
            return now;
        };
        assertWakes(ready);
        adder[0].join();
        assertEquals(3, looks.get(), "woken once, by the result");
    }

    @Test
    void aResultAddedBeforeThePollerSaysItSleepsIsSeenByItsNextLook() throws Exception {
        AtomicInteger looks = new AtomicInteger();
        BooleanSupplier ready = () -> {
            boolean now = result.get();
            // After the first look and before the poller says it sleeps: the wake finds nobody
            // asleep and does nothing, so the poller must look again once it has said so.
            if (looks.incrementAndGet() == 1) {
                addResult();
            }
            return now;
        };
        assertWakes(ready);
        assertEquals(2, looks.get());
    }

    /** Runs a poller with no timeout on another thread; fails if it has not returned within a minute. */
    private void assertWakes(BooleanSupplier ready) throws Exception {
        CompletableFuture<Boolean> woke = new CompletableFuture<>();
        Thread poller = new Thread(() -> {
            try {
                woke.complete(sleepers.await(ready, Long.MAX_VALUE));
            } catch (Throwable t) {
                woke.completeExceptionally(t);
            }
        }, "poller");
        poller.start();
        try {
            assertTrue(woke.get(60, TimeUnit.SECONDS), "the poller returned with the result there");
        } finally {
            poller.interrupt(); // a lost wakeup: do not leave the poller asleep for ever
            poller.join();
        }
    }
}
