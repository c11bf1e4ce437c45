package io.linuxaio;

import static io.linuxaio.Fcntl.O_CREAT;
import static io.linuxaio.Fcntl.O_RDONLY;
import static io.linuxaio.Fcntl.O_WRONLY;
import static io.linuxaio.Polling.await;
import static io.linuxaio.Polling.eventually;
import static io.linuxaio.Polling.until;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.FileOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code AioRequest.cancel()}, as IO::AIO's {@code $req->cancel}: a cancelled request's callback
 * never runs; one still queued never runs either, and lets go of its files at once; one running or
 * finished is left to finish and its outcome dropped (a file it opened closed by the engine); and
 * every request, cancelled or not, is counted out exactly once.
 */
class CancelTest {
    private static final int MANY = 10_000;

    @TempDir Path dir;
    private final LinuxAio aio = new LinuxAio();

    @AfterEach
    void closeEngine() {
        aio.close();
    }

    @Test
    void tenThousandQueuedRequestsCancelledNeverRunAndPollCbPassesThemBy() throws Exception {
        aio.maxParallel(2);
        AtomicInteger ran = new AtomicInteger();
        List<AioRequest<Void>> requests = new ArrayList<>();
        try (BlockedWorkers blocked = BlockedWorkers.occupy(aio, dir, 2)) {
            for (int i = 0; i < MANY; i++) {
                requests.add(aio.nop((v, e) -> ran.incrementAndGet()));
            }
            assertEquals(MANY, aio.nready());
            for (int i = MANY - 1; i >= 0; i--) { // from the back: each cancel is O(1) wherever it waits
                assertTrue(requests.get(i).cancel(), "request " + i);
            }
            assertEquals(0, aio.nready(), "nothing is left for a worker");
            assertTrue(aio.pool.waitingNodes() < 1024,
                    "cancelled requests are swept out of the queues: " + aio.pool.waitingNodes() + " left");
            assertEquals(MANY + 2, aio.nreqs(), "cancelled requests count until pollCb passes them by");
            assertEquals(MANY, aio.npending());
            assertTrue(aio.pollWait(java.time.Duration.ZERO), "pollWait returns for them, so a loop comes to pass them by");
            assertEquals(0, aio.pollCb(), "no callback ran");
            assertEquals(2, aio.nreqs(), "only the two blocked opens are left");
            for (AioRequest<Void> request : requests) {
                assertTrue(request.isCancelled());
                assertTrue(request.isDone());
                assertFalse(request.cancel(), "a second cancel changes nothing");
                assertTrue(request.future().isCancelled(), "a future made after the cancel is cancelled too");
            }
        }
        until(aio, () -> aio.nreqs() == 0);
        assertEquals(0, ran.get());
    }

    @Test
    void aCloseWaitingForACancelledReadGoesAheadAtOnce() throws Exception {
        Path path = dir.resolve("data");
        Files.write(path, new byte[100]);
        aio.maxParallel(1);
        AioFile file = await(aio, aio.open(path.toString(), O_RDONLY, 0, null));
        aio.inline(false); // the read must wait for the (blocked) worker
        AtomicInteger readCallbacks = new AtomicInteger();
        AioRequest<Void> close;
        try (BlockedWorkers blocked = BlockedWorkers.occupy(aio, dir, 1)) {
            AioRequest<Integer> read = aio.read(file, 0, 10, new byte[10], 0, (n, e) -> readCallbacks.incrementAndGet());
            close = aio.close(file, null);
            assertEquals(1, aio.nready(), "the read waits for a worker, the close for the read");
            assertTrue(read.cancel());
            assertEquals(1, aio.nready(), "the read let go of the file: the close waits for a worker now");
        }
        await(aio, close);
        assertEquals(0, readCallbacks.get());
        assertEquals(0, OpenDescriptors.beneath(dir));
    }

    @Test
    void aRunningOpenFinishesButItsCallbackIsDroppedAndTheEngineClosesItsFile() throws Exception {
        Path fifo = Fifos.make(dir.resolve("fifo"));
        AtomicInteger ran = new AtomicInteger();
        AioRequest<AioFile> open = aio.open(fifo.toString(), O_RDONLY, 0, (f, e) -> ran.incrementAndGet());
        eventually("a worker took the open", () -> aio.nready() == 0);
        assertTrue(open.cancel(), "a running request can be cancelled");
        new FileOutputStream(fifo.toFile()).close(); // the open waiting for a writer returns
        until(aio, () -> aio.nreqs() == 0);
        assertEquals(0, ran.get());
        assertTrue(open.isCancelled());
        assertEquals(0, OpenDescriptors.beneath(dir), "the engine closed what the cancelled open returned");
    }

    @Test
    void aResultWaitingForPollCbCanStillBeCancelled() throws Exception {
        aio.inline(false);
        Path path = dir.resolve("file");
        Files.write(path, new byte[1]);
        AtomicInteger ran = new AtomicInteger();
        AioRequest<AioFile> open = aio.open(path.toString(), O_RDONLY, 0, (f, e) -> ran.incrementAndGet());
        eventually("the open finished on its worker", () -> aio.npending() == 1);
        assertFalse(open.isDone());
        assertTrue(open.cancel());
        until(aio, () -> aio.nreqs() == 0);
        assertEquals(0, ran.get());
        assertEquals(0, OpenDescriptors.beneath(dir));
    }

    @Test
    void aRequestCompletedOnTheSubmittingThreadCanBeCancelledBeforePollCbDeliversIt() throws Exception {
        Path path = dir.resolve("cached");
        Files.write(path, new byte[1]);
        await(aio, aio.stat(path.toString(), null)); // the name is in the dentry cache now
        long before = aio.inlineStats().opens();
        AtomicInteger ran = new AtomicInteger();
        AioRequest<AioFile> open = aio.open(path.toString(), O_RDONLY, 0, (f, e) -> ran.incrementAndGet());
        assumeTrue(aio.inlineStats().opens() == before + 1, "this kernel opens nothing on the submitting thread");
        assertEquals(1, aio.npending(), "done here, waiting for pollCb");
        assertTrue(open.cancel());
        until(aio, () -> aio.nreqs() == 0);
        assertEquals(0, ran.get());
        assertEquals(0, OpenDescriptors.beneath(dir), "the engine closed the file opened here");
    }

    @Test
    void cancellingTheFutureCancelsTheRequestAndStagesSeeCancellation() throws Exception {
        aio.maxParallel(1);
        AtomicInteger ran = new AtomicInteger();
        try (BlockedWorkers blocked = BlockedWorkers.occupy(aio, dir, 1)) {
            AioRequest<Void> nop = aio.nop((v, e) -> ran.incrementAndGet());
            CompletableFuture<Void> future = nop.future();
            CompletableFuture<String> stage = future.handle((v, e) -> e == null ? "value" : e.getClass().getSimpleName());
            assertTrue(future.cancel(true));
            assertTrue(nop.isCancelled());
            assertTrue(future.isCancelled());
            assertEquals("CancellationException", stage.getNow(null), "stages run on the cancelling thread");
            assertEquals(0, aio.nready());

            AioRequest<Void> other = aio.nop((v, e) -> ran.incrementAndGet());
            CompletableFuture<Void> otherFuture = other.future();
            assertTrue(other.cancel());
            assertThrows(CancellationException.class, otherFuture::join, "cancel() cancels a future made before");
        }
        until(aio, () -> aio.nreqs() == 0);
        assertEquals(0, ran.get());
    }

    @Test
    void cancelAfterTheCallbackRanReturnsFalseAndChangesNothing() throws Exception {
        AtomicInteger ran = new AtomicInteger();
        AioRequest<Void> nop = aio.nop((v, e) -> ran.incrementAndGet());
        await(aio, nop);
        assertFalse(nop.cancel());
        assertFalse(nop.future().cancel(true));
        assertFalse(nop.isCancelled());
        assertFalse(nop.future().isCancelled());
        assertEquals(1, ran.get());
    }

    @Test
    void aCancelledCloseStillClosesItsFile() throws Exception {
        AioFile file = await(aio, aio.open(dir.resolve("w").toString(), O_WRONLY | O_CREAT, 0644, null));
        AtomicInteger ran = new AtomicInteger();
        AioRequest<Void> close = aio.close(file, (v, e) -> ran.incrementAndGet());
        close.cancel();
        until(aio, () -> aio.nreqs() == 0);
        assertEquals(0, ran.get());
        assertEquals(0, OpenDescriptors.beneath(dir));
    }

    @Test
    void aCallbackCanCancelARequestOfItsOwnContext() throws Exception {
        aio.maxParallel(1);
        AtomicInteger ran = new AtomicInteger();
        AioRequest<Void> victim;
        try (BlockedWorkers blocked = BlockedWorkers.occupy(aio, dir, 1)) {
            victim = aio.nop((v, e) -> ran.incrementAndGet());
            AioGroup<Void> empty = aio.group((v, e) -> assertTrue(victim.cancel())); // runs in the next pollCb
            until(aio, empty::isDone);
            assertTrue(victim.isCancelled());
            assertEquals(0, aio.nready());
        }
        until(aio, () -> aio.nreqs() == 0);
        assertTrue(victim.isCancelled());
        assertEquals(0, ran.get());
    }

    /**
     * Cancels racing completion: a thread cancels each request as soon as it is made, while this
     * thread submits and polls, and workers and the submitting thread complete them. Each request's
     * callback runs exactly once if its cancel lost, and never if it won; every one is counted out;
     * every file opened is closed, by its callback or by the engine.
     */
    @Test
    void cancelRacingCompletionRunsEveryCallbackOnceOrNeverAndLosesNothing() throws Exception {
        Path path = dir.resolve("data");
        Files.write(path, new byte[4096]);
        AtomicIntegerArray calls = new AtomicIntegerArray(MANY);
        AtomicReferenceArray<AioRequest<?>> requests = new AtomicReferenceArray<>(MANY);
        boolean[] cancelled = new boolean[MANY];
        Thread canceller = new Thread(() -> {
            for (int i = 0; i < MANY; i++) {
                AioRequest<?> request;
                while ((request = requests.get(i)) == null) {
                    Thread.onSpinWait();
                }
                cancelled[i] = request.cancel();
            }
        }, "canceller");
        canceller.start();
        for (int i = 0; i < MANY; i++) {
            int n = i;
            AioRequest<?> request = switch (i % 3) {
                case 0 -> aio.nop((v, e) -> calls.incrementAndGet(n));
                case 1 -> aio.open(path.toString(), O_RDONLY, 0, (f, e) -> {
                    calls.incrementAndGet(n);
                    aio.close(f, null);
                });
                default -> aio.stat(path.toString(), (s, e) -> calls.incrementAndGet(n));
            };
            requests.set(i, request);
            if (i % 32 == 0) {
                aio.pollCb();
            }
        }
        canceller.join(TimeUnit.MINUTES.toMillis(1));
        assertFalse(canceller.isAlive());
        until(aio, () -> aio.nreqs() == 0);
        int won = 0;
        for (int i = 0; i < MANY; i++) {
            assertEquals(cancelled[i] ? 0 : 1, calls.get(i), "request " + i + (cancelled[i] ? ", cancelled" : ""));
            assertEquals(cancelled[i], requests.get(i).isCancelled());
            won += cancelled[i] ? 1 : 0;
        }
        assertEquals(0, aio.npending());
        assertEquals(0, OpenDescriptors.beneath(dir), "every file opened was closed");
        System.out.printf("cancel won %d of %d races%n", won, MANY);
    }
}
