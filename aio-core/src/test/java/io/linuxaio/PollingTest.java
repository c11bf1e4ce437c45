package io.linuxaio;

import static io.linuxaio.Polling.await;
import static io.linuxaio.Polling.until;
import static org.junit.jupiter.api.Assertions.*;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The result fd, pollCb and pollWait: readable exactly while results wait, one wakeup per burst. */
class PollingTest {
    @TempDir Path dir;
    private final LinuxAio aio = new LinuxAio();

    {
        // About results coming from workers and the eventfd: every request must go to a worker, none be completed on the submitting thread.
        aio.inline(false);
    }

    @AfterEach
    void closeEngine() {
        aio.close();
    }

    /** poll(2) on the fd with a zero timeout: is it readable right now? */
    private static boolean readable(int fd) {
        return readableWithin(fd, 0);
    }

    /**
     * poll(2) on the fd, waiting up to a minute: a worker queues its result first and then makes the
     * fd readable, so a test that has seen the result arrive waits for that last step.
     */
    private static boolean becomesReadable(int fd) {
        return readableWithin(fd, 60_000);
    }

    private static boolean readableWithin(int fd, int timeoutMillis) {
        try (Memory pollfd = new Memory(8)) {
            pollfd.setInt(0, fd);
            pollfd.setShort(4, Posix.POLLIN);
            pollfd.setShort(6, (short) 0);
            int ready = Posix.poll(Pointer.nativeValue(pollfd), 1, timeoutMillis);
            return ready == 1 && (pollfd.getShort(6) & Posix.POLLIN) != 0;
        }
    }

    /**
     * Until {@code n} results wait for pollCb, linked in its queue: npending counts a result from
     * the moment its worker starts adding it, and a worker preempted before it links (under qemu
     * that happens) leaves it out of sight of a pollCb made meanwhile.
     */
    private void awaitPending(AioContext context, int n) {
        Polling.eventually(n + " results wait for pollCb", () -> context.npending() >= n && context.completions.linked() >= n);
    }

    @Test
    void pollFilenoIsReadableExactlyWhileResultsWait() {
        int fd = aio.pollFileno();
        assertFalse(readable(fd), "nothing submitted yet");
        aio.stat(dir.toString(), null);
        awaitPending(aio, 1);
        assertTrue(becomesReadable(fd), "a result waits");
        assertEquals(1, aio.pollCb());
        assertFalse(readable(fd), "pollCb drained it");
        assertEquals(0, aio.pollCb());
    }

    @Test
    void pollCbStoppedEarlyLeavesTheFdReadable() {
        aio.maxPollReqs(2);
        for (int i = 0; i < 5; i++) {
            aio.stat(dir.toString(), null);
        }
        awaitPending(aio, 5);
        assertEquals(2, aio.pollCb());
        assertTrue(readable(aio.pollFileno()), "three still wait");
        assertEquals(2, aio.pollCb());
        assertEquals(1, aio.pollCb());
        assertFalse(readable(aio.pollFileno()));
    }

    @Test
    void pollCbStoppedByMaxPollTimeLeavesTheRestPendingAndTheFdReadable() throws Exception {
        aio.maxParallel(1); // one worker: results arrive in the order submitted
        aio.maxPollTime(Duration.ofNanos(1)); // each pollCb stops after its first callback
        int fd = aio.pollFileno();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int n = i;
            aio.stat(dir.toString(), (st, e) -> order.add(n));
        }
        awaitPending(aio, 5);
        assertEquals(1, aio.pollCb());
        assertTrue(readable(fd), "four still wait");
        assertEquals(4, aio.npending());
        assertTrue(aio.pollWait(Duration.ZERO), "pollWait sees the results a stopped pollCb left");
        for (int left = 3; left >= 0; left--) {
            assertEquals(1, aio.pollCb());
            assertEquals(left, aio.npending());
        }
        assertFalse(readable(fd), "nothing is left");
        assertEquals(List.of(0, 1, 2, 3, 4), order, "what a pollCb left is delivered first, in order");
        assertEquals(0, aio.nreqs());
        aio.maxPollTime(Duration.ZERO);
        for (int i = 0; i < 5; i++) {
            aio.stat(dir.toString(), null);
        }
        awaitPending(aio, 5);
        assertEquals(5, aio.pollCb(), "no limit any more");
        assertThrows(IllegalArgumentException.class, () -> aio.maxPollTime(Duration.ofNanos(-1)));
    }

    @Test
    void maxOutstandingRefusesRequestsWhileThatManyAreOutstandingButNeverAClose() throws Exception {
        AioFile file = await(aio, aio.open(dir.toString(), Fcntl.O_RDONLY, 0, null));
        aio.maxOutstanding(3);
        for (int i = 0; i < 3; i++) {
            aio.stat(dir.toString(), null);
        }
        Refused.refused(aio, java.util.concurrent.RejectedExecutionException.class, () -> aio.stat(dir.toString(), null));
        Refused.refused(aio, java.util.concurrent.RejectedExecutionException.class, () -> aio.group(null));
        Refused.refused(aio, java.util.concurrent.RejectedExecutionException.class, () -> aio.stat(file, null));
        assertFalse(file.isClosed(), "a refused request on a file leaves it as it was");
        AioRequest<Void> close = aio.close(file, null);
        assertEquals(4, aio.nreqs(), "a close frees, so it is never refused");
        await(aio, close);
        until(aio, () -> aio.nreqs() == 0);
        await(aio, aio.stat(dir.toString(), null));
        aio.maxOutstanding(0);
        for (int i = 0; i < 10; i++) {
            aio.stat(dir.toString(), null);
        }
        until(aio, () -> aio.nreqs() == 0);
        assertThrows(IllegalArgumentException.class, () -> aio.maxOutstanding(-1));
    }

    @Test
    void aBurstOfTenThousandCompletionsCostsOneWakeup() {
        int burst = 10_000;
        for (int i = 0; i < burst; i++) {
            aio.stat(dir.toString(), null);
        }
        awaitPending(aio, burst);
        assertTrue(becomesReadable(aio.pollFileno()));
        // The kernel's own count: an eventfd adds up every write since the last read.
        long[] writes = new long[1];
        Posix.eventfd_read(aio.pollFileno(), writes);
        assertEquals(1, writes[0], "eventfd writes for " + burst + " completions");
        assertEquals(1, aio.wakeups());
        // npending counts a result as its worker begins to add it; a worker preempted halfway
        // leaves the ones after it out of sight of this pollCb until it links them (a busy
        // machine does that), so a second pollCb may be needed, and that worker may announce
        // once more as it links: one wakeup more at most.
        int ran = aio.pollCb();
        until(aio, () -> aio.nreqs() == 0);
        assertTrue(ran > 0 && aio.wakeups() <= 2, ran + " delivered at first, " + aio.wakeups() + " wakeups");
    }

    @Test
    void anFdNobodyAskedForCostsNoWakeupUntilAskedFor() throws Exception {
        for (int i = 0; i < 100; i++) {
            aio.stat(dir.toString(), null);
        }
        until(aio, () -> aio.nreqs() == 0);
        assertEquals(0, aio.wakeups(), "pollWait and pollCb alone never touch the eventfd");

        aio.stat(dir.toString(), null);
        awaitPending(aio, 1);
        assertTrue(becomesReadable(aio.pollFileno()), "asked for while a result waits: readable");
        assertEquals(1, aio.pollCb());
        assertFalse(readable(aio.pollFileno()));
        aio.stat(dir.toString(), null);
        awaitPending(aio, 1);
        assertTrue(becomesReadable(aio.pollFileno()), "from then on it follows the queue");
        assertEquals(2, aio.wakeups());
    }

    @Test
    void aResultArrivingWhilePollCbDeliversCostsNoSecondWakeup() {
        aio.pollFileno();
        AtomicInteger ran = new AtomicInteger();
        boolean[] readableMeanwhile = new boolean[1];
        aio.stat(dir.toString(), (s, e) -> {
            ran.incrementAndGet();
            aio.stat(dir.toString(), (s2, e2) -> ran.incrementAndGet());
            awaitPending(aio, 1);
            readableMeanwhile[0] = readable(aio.pollFileno());
        });
        awaitPending(aio, 1);
        assertEquals(2, aio.pollCb(), "the same pollCb delivers the result that came meanwhile");
        assertEquals(2, ran.get());
        assertTrue(readableMeanwhile[0], "the fd stays readable while pollCb delivers");
        assertEquals(1, aio.wakeups(), "one eventfd write for both results");
        assertFalse(readable(aio.pollFileno()), "drained: the fd is clear");
    }

    @Test
    void pollWaitReturnsWhenAResultWaitsOrNothingIsOutstanding() throws Exception {
        aio.pollWait(); // nothing outstanding: returns at once
        assertTrue(aio.pollWait(Duration.ZERO));
        aio.stat(dir.toString(), null);
        aio.pollWait();
        assertEquals(1, aio.npending());
        assertEquals(1, aio.pollCb());
    }

    @Test
    void callbacksRunOnThePollingThreadAndFuturesAgreeWithThem() throws Exception {
        CompletableFuture<Thread> callbackThread = new CompletableFuture<>();
        CompletableFuture<Stat> callbackResult = new CompletableFuture<>();
        AioRequest<Stat> request = aio.stat(dir.toString(), (stat, error) -> {
            callbackThread.complete(Thread.currentThread());
            callbackResult.complete(stat);
        });
        CompletableFuture<Thread> futureThread = request.future().thenApply(s -> Thread.currentThread());
        Stat viaFuture = await(aio, request);
        assertSame(Thread.currentThread(), callbackThread.getNow(null));
        assertSame(Thread.currentThread(), futureThread.getNow(null));
        assertSame(callbackResult.getNow(null), viaFuture);
        assertTrue(request.isDone());
        assertSame(request.future(), request.future());

        AioRequest<Stat> failing = aio.stat(dir.resolve("none").toString(), null);
        AioException error = Polling.failure(aio, failing);
        CompletableFuture<?> late = failing.future();
        assertTrue(late.isCompletedExceptionally(), "a future asked for after delivery is already complete");
        assertEquals("ENOENT", error.errnoName());
    }

    @Test
    void pollWaitTakesTimeoutsTooLongToCountInNanoseconds() throws Exception {
        assertTrue(aio.pollWait(Duration.ofSeconds(Long.MAX_VALUE)), "nothing outstanding: returns at once");
        AioRequest<Stat> stat = aio.stat(dir.toString(), null);
        assertTrue(aio.pollWait(Duration.ofSeconds(Long.MAX_VALUE)), "returns when the result waits");
        aio.pollCb();
        assertTrue(stat.isDone());
        assertTrue(aio.pollWait(Duration.ofSeconds(-5)), "a negative timeout only looks");
        aio.idleTimeout(Duration.ofSeconds(Long.MAX_VALUE));
        assertTrue(await(aio, aio.stat(dir.toString(), null)).isDirectory(), "workers that never retire still serve");
    }

    @Test
    void pollFilenoOfAClosedContextThrowsRatherThanNameAnotherFile() {
        AioContext context = aio.newContext();
        int fd = context.pollFileno();
        assertTrue(fd >= 0);
        context.close();
        assertThrows(IllegalStateException.class, context::pollFileno);
    }

    @Test
    void anEngineWideHandlerReceivesWhatCallbacksThrow() {
        List<String> handled = new ArrayList<>();
        aio.callbackExceptionHandler((request, thrown) -> handled.add(request + " " + thrown.getMessage()));
        AioContext other = aio.newContext();
        AtomicInteger ran = new AtomicInteger();
        aio.stat(dir.toString(), (s, e) -> {
            ran.incrementAndGet();
            throw new IllegalStateException("first");
        });
        aio.stat(dir.toString(), (s, e) -> ran.incrementAndGet());
        other.stat(dir.toString(), (s, e) -> {
            throw new IllegalStateException("second");
        });
        until(aio, () -> ran.get() == 2);
        until(other, () -> other.nreqs() == 0);
        assertEquals(List.of("stat(" + dir + ") first", "stat(" + dir + ") second"), handled);

        // A handler that throws hands both exceptions to the thread's own handler.
        aio.callbackExceptionHandler((request, thrown) -> {
            throw new IllegalArgumentException("handler");
        });
        Thread.UncaughtExceptionHandler previous = Thread.currentThread().getUncaughtExceptionHandler();
        List<Throwable> reported = new ArrayList<>();
        Thread.currentThread().setUncaughtExceptionHandler((t, e) -> reported.add(e));
        try {
            aio.stat(dir.toString(), (s, e) -> {
                throw new IllegalStateException("third");
            });
            until(aio, () -> aio.nreqs() == 0);
        } finally {
            Thread.currentThread().setUncaughtExceptionHandler(previous);
        }
        assertEquals(1, reported.size());
        assertEquals("third", reported.get(0).getMessage());
        assertEquals("handler", reported.get(0).getSuppressed()[0].getMessage());
    }

    @Test
    void aCallbackThatThrowsDoesNotStopTheOthers() {
        AtomicInteger ran = new AtomicInteger();
        Thread.UncaughtExceptionHandler previous = Thread.currentThread().getUncaughtExceptionHandler();
        AtomicInteger reported = new AtomicInteger();
        Thread.currentThread().setUncaughtExceptionHandler((t, e) -> reported.incrementAndGet());
        try {
            for (int i = 0; i < 10; i++) {
                int n = i;
                aio.stat(dir.toString(), (s, e) -> {
                    ran.incrementAndGet();
                    if (n % 2 == 0) {
                        throw new IllegalStateException("callback " + n + " fails on purpose");
                    }
                });
            }
            until(aio, () -> ran.get() == 10);
        } finally {
            Thread.currentThread().setUncaughtExceptionHandler(previous);
        }
        assertEquals(10, ran.get());
        assertEquals(5, reported.get(), "each thrown exception is reported, none swallowed");
        assertEquals(0, aio.nreqs());
    }
}
