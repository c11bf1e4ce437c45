package io.linuxaio;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The results queue: oldest first, and nothing lost or doubled when many workers add at once. */
class ResultQueueTest {
    @Test
    void takesInTheOrderAdded() {
        ResultQueue queue = new ResultQueue();
        assertTrue(queue.isEmpty());
        assertNull(queue.poll());
        Request<?> a = Request.stub();
        Request<?> b = Request.stub();
        queue.add(a);
        queue.add(b);
        assertFalse(queue.isEmpty());
        assertEquals(2, queue.size());
        assertSame(a, queue.poll());
        assertSame(b, queue.poll());
        assertNull(queue.poll());
        assertTrue(queue.isEmpty());

        Request<?> c = Request.stub();
        queue.add(c);
        assertSame(c, queue.poll(), "adding after the queue ran empty links behind the last taken");
    }

    @Test
    void aRequestTakenAndPassedLinksToNothing() {
        ResultQueue queue = new ResultQueue();
        Request<?> kept = Request.stub();
        queue.add(kept);
        queue.add(Request.stub());
        queue.add(Request.stub());
        assertSame(kept, queue.poll());
        queue.poll();
        // A caller holding on to its request must not hold every later one of the context.
        assertNull(kept.next);
    }

    @Test
    void concurrentAddersLoseNothingAndKeepEachOnesOrder() throws Exception {
        int adders = 4;
        int each = 50_000;
        ResultQueue queue = new ResultQueue();
        Map<Request<?>, int[]> origin = new HashMap<>();
        List<List<Request<?>>> batches = new ArrayList<>();
        for (int t = 0; t < adders; t++) {
            List<Request<?>> batch = new ArrayList<>();
            for (int i = 0; i < each; i++) {
                Request<?> r = Request.stub();
                origin.put(r, new int[] {t, i});
                batch.add(r);
            }
            batches.add(batch);
        }
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (List<Request<?>> batch : batches) {
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                batch.forEach(queue::add);
            });
            thread.start();
            threads.add(thread);
        }

        start.countDown();
        int[] nextFrom = new int[adders];
        int taken = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (taken < adders * each) {
            assertTrue(System.nanoTime() < deadline, "only " + taken + " taken");
            Request<?> r = queue.poll(); // taken while the adders still add
            if (r == null) {
                Thread.onSpinWait();
                continue;
            }
            int[] from = origin.remove(r);
            assertNotNull(from, "a request taken twice");
            assertEquals(nextFrom[from[0]]++, from[1], "an adder's requests out of order");
            taken++;
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertTrue(origin.isEmpty());
        assertNull(queue.poll());
    }
}
