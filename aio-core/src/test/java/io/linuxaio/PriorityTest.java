package io.linuxaio;

import static io.linuxaio.Polling.await;
import static io.linuxaio.Polling.eventually;
import static io.linuxaio.Polling.until;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Request priorities, and how the pool counts its busy workers and grows past its eager ones only
 * when requests stall.
 */
class PriorityTest {
    @TempDir Path dir;
    private final LinuxAio aio = new LinuxAio();

    {
        // About the pool's queues: every request must go to a worker, none be completed on the submitting thread.
        aio.inline(false);
    }
    private BlockedWorkers blocked;

    @AfterEach
    void closeEngine() throws Exception {
        try {
            if (blocked != null) {
                blocked.close();
            }
        } finally {
            aio.close();
        }
    }

    @Test
    void workersTakeTheHighestPriorityFirstAndFifoWithinOne() throws Exception {
        aio.maxParallel(1);
        blocked = BlockedWorkers.occupy(aio, dir, 1);
        AioContext low = aio.withPriority(AioContext.PRI_MIN);
        AioContext high = aio.withPriority(AioContext.PRI_MAX);
        List<String> order = new ArrayList<>(); // touched only by callbacks, on this thread
        String path = dir.toString();
        low.stat(path, (s, e) -> order.add("low-1"));
        aio.stat(path, (s, e) -> order.add("default-1"));
        high.stat(path, (s, e) -> order.add("high-1"));
        low.stat(path, (s, e) -> order.add("low-2"));
        high.stat(path, (s, e) -> order.add("high-2"));
        aio.stat(path, (s, e) -> order.add("default-2"));
        assertEquals(6, aio.nready(), "all wait behind the busy worker");

        blocked.close();
        until(aio, () -> order.size() == 6);
        assertEquals(List.of("high-1", "high-2", "default-1", "default-2", "low-1", "low-2"), order);
    }

    @Test
    void aPriorityViewIsTheSameContext() {
        AioContext low = aio.withPriority(-2);
        assertEquals(-2, low.priority());
        assertSame(aio, aio.withPriority(AioContext.PRI_DEFAULT));
        assertEquals(3, low.withPriority(3).priority());
        assertThrows(IllegalArgumentException.class, () -> aio.withPriority(AioContext.PRI_MIN - 1));
        assertThrows(IllegalArgumentException.class, () -> aio.withPriority(AioContext.PRI_MAX + 1));

        AtomicInteger ran = new AtomicInteger();
        low.stat(dir.toString(), (s, e) -> ran.incrementAndGet());
        assertEquals(1, aio.nreqs(), "the view's request counts in the context it belongs to");
        until(aio, () -> ran.get() == 1);
        assertEquals(aio.pollFileno(), low.pollFileno());

        low.close();
        assertTrue(aio.isClosed(), "closing a view closes its context");
        assertThrows(IllegalStateException.class, () -> aio.stat(dir.toString(), null));
    }

    @Test
    void thePoolGrowsPastItsEagerWorkersOnlyWhenRequestsStall() throws Exception {
        aio.maxParallel(WorkerPool.EAGER_WORKERS + 4);
        blocked = BlockedWorkers.occupy(aio, dir, WorkerPool.EAGER_WORKERS);
        assertEquals(WorkerPool.EAGER_WORKERS, aio.nthreads(), "one eager worker per blocked request");
        assertEquals(0, aio.workersStartedOnStalls(), "the eager ones start on demand, not for a stall");

        // Every worker sleeps in the kernel and none is idle: the stat nudges the stall monitor, which
        // finds it still waiting a look later with the workers asleep on the same requests as at the
        // look before, and starts one worker for it. No wait is needed first: nothing else serves it.
        Stat stat = await(aio, aio.stat(dir.toString(), null));
        assertTrue(stat.isDirectory());
        // One worker for the stall, as a rule; on a machine as slow as an emulated one, the worker
        // started at one look may still not have taken the request at the next, which starts one more.
        int beyondEager = aio.nthreads() - WorkerPool.EAGER_WORKERS;
        assertTrue(beyondEager >= 1 && beyondEager <= 2, "workers past the eager ones: " + beyondEager);
        assertEquals(beyondEager, aio.workersStartedOnStalls(), "every worker past the eager ones was started for the stall");
        for (AioRequest<AioFile> open : blocked.opens()) {
            assertFalse(open.isDone(), "the stat was served while the FIFO opens still block");
        }
    }

    @Test
    void workersOnARequestCountAsBusyAndIdleOnesDoNot() throws Exception {
        aio.minParallel(3);
        aio.maxParallel(3);
        eventually("three idle workers", () -> aio.pool.idle() == 3);
        assertEquals(0, aio.pool.busyWorkers());

        blocked = BlockedWorkers.occupy(aio, dir, 2);
        assertEquals(2, aio.pool.busyWorkers(), "two workers blocked in open(2), one idle");
        blocked.close();
        eventually("the workers idle again", () -> aio.pool.busyWorkers() == 0);
    }
}
