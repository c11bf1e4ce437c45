package io.linuxaio;

import static io.linuxaio.Polling.eventually;
import static io.linuxaio.Polling.until;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Live worker threads follow minParallel, maxParallel and the idle timeout. */
class PoolTest {
    @TempDir Path dir;
    private final LinuxAio aio = new LinuxAio();

    {
        // About the pool: every request must go to a worker, none be completed on the submitting thread.
        aio.inline(false);
    }

    @AfterEach
    void closeEngine() {
        aio.close();
    }

    /**
     * Threads that join a pool's idle stack as workers do and stay there: the pool marks one woken
     * when it hands it work, but cannot unpark it (its {@code thread} is null), so none takes a
     * request until {@link #close()}. What the pool queued stays queued.
     */
    private static final class IdleStandIns implements AutoCloseable {
        private final WorkerPool pool;
        private final List<Worker> workers = new ArrayList<>();
        private final List<Thread> threads = new ArrayList<>();

        private IdleStandIns(WorkerPool pool) {
            this.pool = pool;
        }

        /** {@code n} stand-ins, returned once all are on the pool's idle stack. */
        static IdleStandIns join(WorkerPool pool, int n) {
            IdleStandIns standIns = new IdleStandIns(pool);
            for (int i = 0; i < n; i++) {
                Worker worker = new Worker(pool);
                Thread thread = new Thread(() -> pool.take(worker), "idle-stand-in-" + i);
                standIns.workers.add(worker);
                standIns.threads.add(thread);
                thread.start();
            }
            eventually(n + " stand-ins idle", () -> pool.idle() == n);
            return standIns;
        }

        /** How many the pool has marked woken. */
        long woken() {
            return workers.stream().filter(w -> w.woken).count();
        }

        /** Marks every one woken (a change of the idle timeout wakes all), then lets each take a request and end. */
        @Override
        public void close() throws InterruptedException {
            pool.setIdleTimeout(0);
            for (Thread thread : threads) {
                thread.interrupt();
                thread.join();
            }
        }
    }

    /** Runs {@code requests} requests to completion; returns the most workers seen alive meanwhile. */
    private int peakWorkersWhileRunning(int requests) {
        AtomicInteger done = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        for (int i = 0; i < requests; i++) {
            aio.realpath(dir.toString(), (p, e) -> done.incrementAndGet());
            peak.accumulateAndGet(aio.nthreads(), Math::max);
        }
        until(aio, () -> {
            peak.accumulateAndGet(aio.nthreads(), Math::max);
            return done.get() == requests;
        });
        return peak.get();
    }

    @Test
    void theDefaultEngineStartsOneWorkerNamedAioWorker() {
        assertEquals(LinuxAio.DEFAULT_MIN_PARALLEL, aio.nthreads());
        assertTrue(Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().startsWith("aio-worker-") && t.isDaemon()));
    }

    /**
     * Real workers could empty the queue between any two submissions of a burst, and the next one
     * would then rightly wake a worker again; so the pool here has stand-ins for idle workers that
     * are marked woken but never come to take, and the queue holds every request submitted.
     */
    @Test
    void aBurstOfSubmissionsWakesIdleWorkersOnceNotPerRequest() throws Exception {
        // maxParallel 0: the pool starts no worker of its own for the stand-ins to race with.
        WorkerPool pool = new WorkerPool(0, 0, Duration.ofMinutes(1).toNanos());
        try (IdleStandIns idle = IdleStandIns.join(pool, 4)) {
            int burst = 10_000;
            for (int i = 0; i < burst; i++) {
                pool.submit(Request.stub());
            }
            assertEquals(1, pool.submitWakeups(), "submit woke an idle worker for the first request only");
            assertEquals(1, idle.woken(), "of " + burst + " requests, one woke a worker");
        }
    }

    @Test
    void minParallelStartsWorkersAtOnce() {
        aio.minParallel(4);
        assertEquals(4, aio.nthreads());
    }

    @Test
    void maxParallelBlocksUntilOnlyThatManyRemain() throws Exception {
        aio.minParallel(6);
        aio.maxParallel(2);
        assertEquals(2, aio.nthreads(), "maxParallel returned with more workers alive");
        aio.maxParallel(0);
        assertEquals(0, aio.nthreads());
    }

    @Test
    void workersStartOnDemandUpToMaxParallelAndIdleOnesRetire() throws Exception {
        aio.minParallel(0);
        aio.idleTimeout(Duration.ofMillis(200));
        aio.maxParallel(3);
        eventually("idle workers above min retire", () -> aio.nthreads() == 0);
        int peak = peakWorkersWhileRunning(2_000);
        assertTrue(peak >= 1 && peak <= 3, "started on demand, never more than maxParallel: " + peak);
        eventually("workers retire after the idle timeout", () -> aio.nthreads() == 0);
    }

    @Test
    void idleWorkersDownToMinParallelStay() throws Exception {
        aio.idleTimeout(Duration.ofMillis(50));
        aio.minParallel(2);
        aio.maxParallel(5);
        List<Worker> started = new ArrayList<>();
        try (BlockedWorkers blocked = BlockedWorkers.occupy(aio, dir, 5)) {
            aio.pool.workers().forEach(started::add);
            assertEquals(5, started.size(), "a worker for each blocked open");
        }
        eventually("surplus workers retire and end", () -> started.stream().filter(w -> w.thread.isAlive()).count() == 2);
        assertEquals(2, aio.nthreads());
        // From now on nothing wakes the two but their idle timeout: each time it ends, a worker
        // decides whether to retire and, staying, goes back to sleep. Two more sleeps than now are
        // one whole timeout and one decision to stay.
        Map<Worker, Long> sleeps = new HashMap<>();
        for (Worker worker : aio.pool.workers()) {
            sleeps.put(worker, WorkerIo.sleeps(worker.tid));
        }
        for (Map.Entry<Worker, Long> worker : sleeps.entrySet()) {
            eventually("a worker at minParallel outlives its idle timeout",
                    () -> !worker.getKey().thread.isAlive() || WorkerIo.sleeps(worker.getKey().tid) >= worker.getValue() + 2);
        }
        List<Worker> alive = new ArrayList<>();
        aio.pool.workers().forEach(alive::add);
        assertEquals(sleeps.keySet(), Set.copyOf(alive), "minParallel workers must stay");
        assertTrue(alive.stream().allMatch(w -> w.thread.isAlive()), "minParallel workers must stay");
    }

    @Test
    void requestsWaitWhileMaxParallelIsZeroAndRunWhenRaised() throws Exception {
        aio.maxParallel(0);
        AtomicInteger done = new AtomicInteger();
        aio.stat(dir.toString(), (s, e) -> done.incrementAndGet());
        assertEquals(1, aio.nready());
        assertEquals(0, aio.pollCb());
        aio.maxParallel(1);
        until(aio, () -> done.get() == 1);
    }

    @Test
    void maxIdleKeepsThatManyIdleWorkersPastTheirTimeoutAndRetiresTheRest() throws Exception {
        aio.minParallel(0);
        aio.idleTimeout(Duration.ofMillis(20));
        aio.maxIdle(2);
        AtomicInteger done = new AtomicInteger();
        for (int i = 0; i < 6; i++) {
            aio.busy(Duration.ofMillis(200), (v, e) -> done.incrementAndGet()); // six at once: six workers
        }
        eventually("a worker each", () -> aio.nthreads() >= 6);
        until(aio, () -> done.get() == 6);
        eventually("the idle workers beyond two retired", () -> aio.nthreads() == 2);
        long kept = aio.pool.keptIdle.get();
        eventually("the two kept outlived four more timeouts", () -> aio.pool.keptIdle.get() >= kept + 4);
        assertEquals(2, aio.nthreads());
        aio.maxIdle(0);
        eventually("with maxIdle 0 and minParallel 0, none is kept", () -> aio.nthreads() == 0);
        assertThrows(IllegalArgumentException.class, () -> aio.maxIdle(-1));
    }
}
