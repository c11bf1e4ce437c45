package io.linuxaio;

import static io.linuxaio.Fcntl.O_DIRECTORY;
import static io.linuxaio.Fcntl.O_PATH;
import static io.linuxaio.Fcntl.O_RDONLY;
import static io.linuxaio.Polling.await;
import static org.junit.jupiter.api.Assertions.*;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Opens tried first, made together in one io_uring_enter: those a pollCb's callbacks submit as it
 * ends, and those an event loop's own thread submits outside a pollCb (its channels' requests) as
 * the pollCb it schedules starts. Each open comes back with its own file, no callback runs inside
 * the submitting call, a final answer reaches its callback with errno and path, an open the dentry
 * cache cannot answer goes to a worker, a cancelled one leaves no descriptor open, and where
 * io_uring is refused every open is made alone as before.
 *
 * <p>Where the kernel or a seccomp profile refuses io_uring, nothing is batched and the tests check
 * that instead.
 */
class OpenBatchTest extends PageCacheTestBase {
    private AioFile root;
    private final List<byte[]> contents = new ArrayList<>();

    OpenBatchTest() throws IOException {
        super("open-batch-");
    }

    @BeforeEach
    void cachedFilesAndTheirDirectory() throws Exception {
        for (int i = 0; i < 8; i++) {
            byte[] content = random(64);
            Files.readAllBytes(file("f" + i, content));
            contents.add(content);
        }
        root = await(aio, aio.openat(null, dir.toString(), O_PATH | O_DIRECTORY, 0, 0, null));
    }

    @AfterEach
    void closeTheDirectory() throws Exception {
        await(aio, aio.close(root, null));
    }

    /** Whether opens wait for a batch here, rather than being made one by one (io_uring refused). */
    private boolean batched() {
        return aio.shared().inline.batchesOpens();
    }

    private long opensBatched() {
        return aio.shared().inline.opensBatched.sum();
    }

    /** One open waiting for its callback, and what came back. */
    private final class PendingOpen {
        final String name;
        final List<Object> outcome = new ArrayList<>();

        PendingOpen(String name) {
            this.name = name;
        }

        AioRequest<OpenedFile> submit(AioContext context) {
            return context.openatStat(root, name, O_RDONLY, 0, Resolve.RESOLVE_BENEATH,
                    (opened, e) -> outcome.add(e != null ? e : opened));
        }

        OpenedFile opened() {
            assertEquals(1, outcome.size(), name);
            return assertInstanceOf(OpenedFile.class, outcome.get(0), name);
        }
    }

    /** The first bytes of an opened file, read through its own descriptor. */
    private static byte[] firstBytes(AioFile file, int n) {
        try (Memory buffer = new Memory(n)) {
            assertEquals(n, Posix.pread(file.fd(), Pointer.nativeValue(buffer), n, 0));
            return buffer.getByteArray(0, n);
        }
    }

    /** Asserts that {@code open} of {@code f<i>} came back with that file: its bytes, its size, its name. */
    private void assertOpenedItsOwnFile(PendingOpen open, int i) throws Exception {
        OpenedFile opened = open.opened();
        assertEquals(64, opened.stat().size());
        assertArrayEquals(contents.get(i), firstBytes(opened.file(), 64), "the descriptor of " + open.name);
        assertEquals(dir.resolve(open.name).toString(), opened.file().path());
        await(aio, aio.close(opened.file(), null));
    }

    @Test
    void opensOfOnePollCbAreMadeTogetherAsItEndsEachWithItsOwnFile() throws Exception {
        List<PendingOpen> opens = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            opens.add(new PendingOpen("f" + i));
        }
        boolean wait = batched();
        long batchedBefore = opensBatched();
        InlineStats before = aio.inlineStats();
        int[] openInsideTheCallback = new int[1];
        inCallback(() -> {
            opens.forEach(o -> o.submit(aio));
            openInsideTheCallback[0] = descriptorsBeneath();
            opens.forEach(o -> assertEquals(List.of(), o.outcome, "no callback inside the submitting call"));
        });
        assertEquals(wait ? 0 : 8, openInsideTheCallback[0], wait ? "made as the pollCb ended" : "made at once");
        assertEquals(8, descriptorsBeneath(), "all opened once the pollCb ended");
        opens.forEach(o -> assertEquals(List.of(), o.outcome, "delivered by a later pollCb"));
        aio.pollCb();
        for (int i = 0; i < 8; i++) {
            assertOpenedItsOwnFile(opens.get(i), i);
        }
        assertEquals(batched() ? batchedBefore + 8 : batchedBefore, opensBatched());
        assertEquals(before.opens() + 8, aio.inlineStats().opens(), "every one opened on the polling thread");
        assertEquals(0, descriptorsBeneath());
        assertEquals(0, aio.nreqs());
    }

    @Test
    void opensOnTheLoopsThreadOutsideAPollCbAreMadeAsThePollCbItSchedulesStarts() throws Exception {
        ExecutorService loop = Executors.newSingleThreadExecutor();
        Thread loopThread = loop.submit(Thread::currentThread).get();
        AioContext context = aio.newContext(new LoopPoller(loop, loopThread));
        try {
            List<PendingOpen> opens = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                opens.add(new PendingOpen("f" + i));
            }
            boolean wait = batched();
            long batchedBefore = opensBatched();
            CompletableFuture<Thread> lastRanOn = new CompletableFuture<>();
            CompletableFuture<OpenedFile> lastOpened = new CompletableFuture<>();
            AioCallback<OpenedFile> last = (opened, e) -> {
                lastOpened.complete(opened);
                lastRanOn.complete(Thread.currentThread());
            };
            // What a loop does as its channels hand on requests: several opens in one task, no pollCb running.
            int openInsideTheTask = loop.submit(() -> {
                opens.forEach(o -> o.submit(context));
                context.openatStat(root, "f0", O_RDONLY, 0, 0, last);
                opens.forEach(o -> assertEquals(List.of(), o.outcome, "no callback inside the submitting call"));
                return descriptorsBeneath();
            }).get();
            assertEquals(wait ? 0 : 9, openInsideTheTask, wait ? "made as the next pollCb starts" : "made at once");
            assertSame(loopThread, lastRanOn.get(30, TimeUnit.SECONDS), "delivered on the loop");
            loop.submit(() -> {
                for (int i = 0; i < 8; i++) {
                    try {
                        assertOpenedItsOwnFile(opens.get(i), i);
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                }
            }).get();
            assertEquals(batched() ? batchedBefore + 9 : batchedBefore, opensBatched());
            assertEquals(0, context.wakeups(), "the opens cost the loop a task, not an eventfd write");
            await(aio, aio.close(lastOpened.get().file(), null));
        } finally {
            loop.submit((Runnable) context::close).get();
            loop.shutdownNow();
        }
        assertEquals(0, descriptorsBeneath());
    }

    @Test
    void aFinalAnswerReachesItsCallbackWithErrnoAndPathAndTheOthersStillOpen() throws Exception {
        PendingOpen first = new PendingOpen("f0");
        PendingOpen missing = new PendingOpen("missing");
        PendingOpen outside = new PendingOpen("../" + dir.getFileName() + "/f1");
        PendingOpen last = new PendingOpen("f2");
        inCallback(() -> List.of(first, missing, outside, last).forEach(o -> o.submit(aio)));
        // A name the dentry cache has no entry for, not even a negative one, is looked up by a worker.
        Polling.until(aio, () -> aio.nreqs() == 0);

        assertOpenedItsOwnFile(first, 0);
        assertOpenedItsOwnFile(last, 2);
        AioException absent = assertInstanceOf(AioException.class, missing.outcome.get(0));
        assertEquals("ENOENT", absent.errnoName());
        assertEquals("openat(" + dir.resolve("missing") + "): ENOENT (No such file or directory)", absent.getMessage());
        AioException refused = assertInstanceOf(AioException.class, outside.outcome.get(0));
        assertEquals("EXDEV", refused.errnoName(), "RESOLVE_BENEATH refuses a way out, batched or not");
        assertEquals(0, descriptorsBeneath());
        assertEquals(0, aio.nreqs());
    }

    @Test
    void anOpenTheRingLeavesToAWorkerIsMadeThereWithItsOwnSemantics() throws Exception {
        Fifos.make(dir.resolve("fifo"));
        PendingOpen fifo = new PendingOpen("fifo");
        PendingOpen file = new PendingOpen("f3");
        InlineStats before = aio.inlineStats();
        AioRequest<?>[] fifoRequest = new AioRequest<?>[1];
        inCallback(() -> {
            fifoRequest[0] = fifo.submit(aio);
            file.submit(aio);
        });
        aio.pollCb();
        assertOpenedItsOwnFile(file, 3);
        // Opened here with O_NONBLOCK, a FIFO turns out not to be a file: a worker makes the blocking open.
        assertEquals(before.opensToPool() + 1, aio.inlineStats().opensToPool());
        assertFalse(fifoRequest[0].isDone(), "still waiting for a writer, on a worker");
        new FileOutputStream(dir.resolve("fifo").toFile()).close();
        OpenedFile reader = (OpenedFile) await(aio, fifoRequest[0]);
        assertEquals(List.of(reader), fifo.outcome);
        await(aio, aio.close(reader.file(), null));
        assertEquals(0, descriptorsBeneath());
    }

    @Test
    void aBatchedOpenCancelledBeforeItIsMadeRunsNoCallbackAndLeavesNothingOpen() throws Exception {
        PendingOpen kept = new PendingOpen("f4");
        PendingOpen cancelled = new PendingOpen("f5");
        inCallback(() -> {
            kept.submit(aio);
            assertTrue(cancelled.submit(aio).cancel());
        });
        Polling.until(aio, () -> aio.nreqs() == 0); // the cancelled open, and the close of what it opened
        assertOpenedItsOwnFile(kept, 4);
        assertEquals(List.of(), cancelled.outcome, "a cancelled request's callback never runs");
        assertEquals(0, descriptorsBeneath(), "the file it opened was closed by the engine");
    }

    @Test
    void pathsBeyondTheBatchsMemoryAreOpenedAloneAndStillRight() throws Exception {
        // "./" steps make each path about 4,000 bytes, so that eight overflow the 16 KiB a batch's paths have.
        String steps = "./".repeat(1995);
        List<PendingOpen> opens = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            opens.add(new PendingOpen(steps + "f" + i));
        }
        inCallback(() -> opens.forEach(o -> o.submit(aio)));
        aio.pollCb();
        for (int i = 0; i < 8; i++) {
            OpenedFile opened = opens.get(i).opened();
            assertArrayEquals(contents.get(i), firstBytes(opened.file(), 64));
            await(aio, aio.close(opened.file(), null));
        }
        assertEquals(0, descriptorsBeneath());
    }

    @Test
    void aRefusedRingLeavesOpensToBeMadeOneByOne() throws Exception {
        aio.shared().inline.injectRingErrno(Errno.EPERM);
        List<PendingOpen> opens = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            opens.add(new PendingOpen("f" + i));
        }
        inCallback(() -> opens.forEach(o -> o.submit(aio)));
        aio.pollCb();
        for (int i = 0; i < 4; i++) {
            assertOpenedItsOwnFile(opens.get(i), i);
        }
        assertFalse(batched(), "io_uring refused: opens are not batched from now on");
        assertEquals(0, opensBatched());
        long opensBefore = aio.inlineStats().opens();
        PendingOpen after = new PendingOpen("f7");
        int[] openInsideTheCallback = new int[1];
        inCallback(() -> {
            after.submit(aio);
            openInsideTheCallback[0] = descriptorsBeneath();
        });
        assertEquals(1, openInsideTheCallback[0], "made at once, alone");
        aio.pollCb();
        assertOpenedItsOwnFile(after, 7);
        assertEquals(opensBefore + 1, aio.inlineStats().opens(), "still opened on the polling thread");
    }

    /** Descriptors open beneath the test's directory, its own O_PATH one not counted. */
    private int descriptorsBeneath() {
        try {
            return OpenDescriptors.beneath(dir) - 1;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
