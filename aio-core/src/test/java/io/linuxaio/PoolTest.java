package io.linuxaio;

import static io.linuxaio.Polling.eventually;
import static io.linuxaio.Polling.until;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.time.Duration;
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

    @Test
    void aBurstOfSubmissionsWakesIdleWorkersOnceNotPerRequest() throws Exception {
        aio.minParallel(4);
        aio.maxParallel(4);
        eventually("the four workers are idle", () -> aio.pool.idle() == 4);
        int burst = 10_000;
        AtomicInteger done = new AtomicInteger();
        for (int i = 0; i < burst; i++) {
            aio.stat(dir.toString(), (s, e) -> done.incrementAndGet());
        }
        until(aio, () -> done.get() == burst);
        long wakeups = aio.pool.submitWakeups();
        assertTrue(wakeups >= 1, "the first request woke an idle worker");
        assertTrue(wakeups < burst / 2, "submit woke workers " + wakeups + " times for " + burst + " requests");
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
        aio.idleTimeout(Duration.ofMillis(100));
        aio.minParallel(2);
        aio.maxParallel(5);
        peakWorkersWhileRunning(2_000);
        eventually("surplus workers retire", () -> aio.nthreads() == 2);
        long until = System.nanoTime() + Duration.ofMillis(400).toNanos();
        while (System.nanoTime() < until) {
            assertEquals(2, aio.nthreads(), "minParallel workers must stay");
            Thread.onSpinWait();
        }
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
