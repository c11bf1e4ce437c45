package io.linuxaio;

import static io.linuxaio.Fcntl.O_DIRECTORY;
import static io.linuxaio.Fcntl.O_NONBLOCK;
import static io.linuxaio.Fcntl.O_PATH;
import static io.linuxaio.Fcntl.O_RDONLY;
import static io.linuxaio.Fcntl.O_RDWR;
import static io.linuxaio.Fcntl.O_WRONLY;
import static io.linuxaio.Fcntl.O_CREAT;
import static io.linuxaio.Polling.await;
import static io.linuxaio.Polling.failure;
import static org.junit.jupiter.api.Assertions.*;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * Requests tried on the submitting thread first: what the page cache or the dentry cache can answer
 * completes there, without a worker; what would wait for the disk goes to a worker; a refused flag
 * switches the path off; and callbacks still run only inside pollCb.
 *
 * <p>Files live under the build directory, not /tmp: page-cache eviction needs a disk file system
 * (on tmpfs every page is always "cached").
 */
class InlineTest extends PageCacheTestBase {
    InlineTest() throws IOException {
        super("inline-");
    }

    /** Drops all the file's pages from the page cache (the test checks it took). */
    private static void evict(AioFile file) {
        assertEquals(0, Posix.posix_fadvise(file.fd(), 0, 0, Posix.POSIX_FADV_DONTNEED));
    }

    @Test
    void aCachedReadCompletesOnTheSubmittingThreadAndIsDeliveredByPollCb() throws Exception {
        byte[] data = random(100_000);
        Path path = file("cached", data);
        AioFile file = await(aio, aio.open(path.toString(), O_RDONLY, 0, null));
        Files.readAllBytes(path); // in the page cache now
        long workersRead = WorkerIo.rchar();
        InlineStats before = aio.inlineStats();

        ByteBuffer dst = ByteBuffer.allocateDirect(data.length);
        AtomicBoolean called = new AtomicBoolean();
        AioRequest<Integer> read = aio.read(file, 0, dst, (n, e) -> called.set(true));
        assertFalse(called.get(), "no callback inside the call that submitted it");
        assertFalse(read.isDone());
        assertEquals(1, aio.npending(), "the result waits for pollCb");
        assertEquals(1, aio.pollCb());
        assertTrue(called.get());
        assertEquals(data.length, read.future().get());
        byte[] got = new byte[data.length];
        dst.flip().get(got);
        assertArrayEquals(data, got);

        InlineStats after = aio.inlineStats();
        assertEquals(before.reads() + 1, after.reads());
        assertEquals(before.readsToPool(), after.readsToPool());
        assertEquals(workersRead, WorkerIo.rchar(), "no worker read a byte");
        byte[] array = new byte[1000];
        assertEquals(1000, await(aio, aio.read(file, 5000, 1000, array, 0, null)));
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 5000, 6000), array);
        assertEquals(before.reads() + 2, aio.inlineStats().reads(), "arrays are read here too");
        await(aio, aio.close(file, null));
    }

    @Test
    void aReadOfAnEvictedFileGoesToAWorker() throws Exception {
        byte[] data = random(1 << 20);
        Path path = file("evicted", data);
        AioFile file = await(aio, aio.open(path.toString(), O_RDONLY, 0, null));
        evict(file);
        long workersRead = WorkerIo.rchar();
        InlineStats before = aio.inlineStats();

        ByteBuffer dst = ByteBuffer.allocateDirect(data.length);
        assertEquals(data.length, await(aio, aio.read(file, 0, dst, null)));
        byte[] got = new byte[data.length];
        dst.flip().get(got);
        assertArrayEquals(data, got);
        assertEquals(before.readsToPool() + 1, aio.inlineStats().readsToPool(), "EAGAIN: handed to a worker");
        assertEquals(before.reads(), aio.inlineStats().reads());
        assertTrue(WorkerIo.rchar() - workersRead >= data.length, "a worker read the file");
        await(aio, aio.close(file, null));
    }

    @Test
    void aReadWhoseStartIsCachedAndRestIsNotIsFinishedByAWorker() throws Exception {
        byte[] data = random(1 << 20);
        int half = data.length / 2;
        withOnlyTheStartCached("half", data, half, file -> {
            long workersRead = WorkerIo.rchar();
            InlineStats before = aio.inlineStats();
            byte[] got = new byte[data.length];
            assertEquals(data.length, await(aio, aio.read(file, 0, data.length, got, 0, null)));
            assertArrayEquals(data, got);
            return aWorkerReadTheRest(before, workersRead, half);
        });
    }

    @Test
    void aReadPastTheEndIsShortAndFinishedHere() throws Exception {
        Path path = file("short", random(1000));
        AioFile file = await(aio, aio.open(path.toString(), O_RDONLY, 0, null));
        Files.readAllBytes(path);
        InlineStats before = aio.inlineStats();
        assertEquals(1000, await(aio, aio.read(file, 0, ByteBuffer.allocateDirect(64 * 1024), null)));
        assertEquals(0, await(aio, aio.read(file, 5000, ByteBuffer.allocateDirect(100), null)));
        assertEquals(before.reads() + 2, aio.inlineStats().reads(), "the end of the file needs no worker");
        assertEquals(before.readsToPool(), aio.inlineStats().readsToPool());
        await(aio, aio.close(file, null));
    }

    @Test
    void aFileSystemThatRefusesNowaitSwitchesItsFileOffAndWarnsOnce() throws Exception {
        Path path = file("refused", random(1000));
        Path other = file("other", random(1000));
        AioFile file = await(aio, aio.open(path.toString(), O_RDONLY, 0, null));
        AioFile otherFile = await(aio, aio.open(other.toString(), O_RDONLY, 0, null));
        Files.readAllBytes(path);
        Files.readAllBytes(other);
        List<String> warnings = new ArrayList<>();
        try (var ignored = Warnings.collect(warnings)) {
            InlineStats before = aio.inlineStats();
            aio.shared().inline.injectErrno(Errno.EOPNOTSUPP);
            assertEquals(1000, await(aio, aio.read(file, 0, 1000, new byte[1000], 0, null)));
            assertEquals(1000, await(aio, aio.read(file, 0, 1000, new byte[1000], 0, null)));
            InlineStats after = aio.inlineStats();
            assertEquals(before.refused() + 1, after.refused());
            assertEquals(before.readsToPool() + 1, after.readsToPool(), "the second read was not even tried");
            assertEquals(before.reads(), after.reads());
            assertEquals(1000, await(aio, aio.read(otherFile, 0, 1000, new byte[1000], 0, null)));
            assertEquals(before.reads() + 1, aio.inlineStats().reads(), "other files are still read here");
        }
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("EOPNOTSUPP"), warnings.get(0));
        await(aio, aio.close(file, null));
        await(aio, aio.close(otherFile, null));
    }

    @Test
    void aKernelThatRefusesTheFlagSwitchesReadsOffForTheEngine() throws Exception {
        Path path = file("enosys", random(1000));
        AioFile file = await(aio, aio.open(path.toString(), O_RDONLY, 0, null));
        Files.readAllBytes(path);
        List<String> warnings = new ArrayList<>();
        try (var ignored = Warnings.collect(warnings)) {
            aio.shared().inline.injectErrno(Errno.ENOSYS);
            for (int i = 0; i < 5; i++) {
                assertEquals(1000, await(aio, aio.read(file, 0, 1000, new byte[1000], 0, null)));
            }
        }
        assertEquals(1, aio.inlineStats().refused());
        assertEquals(0, aio.inlineStats().reads(), "no read is tried here any more");
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("ENOSYS"), warnings.get(0));
        await(aio, aio.close(file, null));
    }

    @Test
    void inlineFalseSendsEveryCallToTheWorkers() throws Exception {
        aio.inline(false);
        byte[] data = random(100_000);
        Path path = file("strict", data);
        Files.readAllBytes(path);
        long workersRead = WorkerIo.rchar();
        AioFile file = await(aio, aio.open(path.toString(), O_RDONLY, 0, null));
        assertEquals(data.length, await(aio, aio.read(file, 0, ByteBuffer.allocateDirect(data.length), null)));
        assertTrue(await(aio, aio.stat(file, null)).isRegularFile());
        await(aio, aio.close(file, null));
        assertEquals(new InlineStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), aio.inlineStats());
        assertTrue(WorkerIo.rchar() - workersRead >= data.length, "the worker read it");
    }

    @Test
    void cachedOpensStatsAndReadOnlyClosesCompleteHere() throws Exception {
        Path path = file("open-me", random(10));
        Files.readAllBytes(path);
        AioFile root = await(aio, aio.openat(null, dir.toString(), O_PATH | O_DIRECTORY, 0, 0, null));
        InlineStats before = aio.inlineStats();
        OpenedFile opened = await(aio, aio.openatStat(root, "open-me", O_RDONLY, 0, Resolve.RESOLVE_BENEATH, null));
        assertEquals(10, opened.stat().size());
        assertEquals(10, await(aio, aio.stat(opened.file(), null)).size());
        assertEquals(10, await(aio, aio.stat(path.toString(), null)).size());
        await(aio, aio.close(opened.file(), null));
        assertFalse(Files.exists(dir.resolve("missing"))); // the lookup leaves a negative dentry behind
        AioException missing = failure(aio, aio.openat(root, "missing", O_RDONLY, 0, 0, null));
        assertEquals("ENOENT", missing.errnoName(), "a negative dentry is a final answer");
        assertEquals("openat(" + dir.resolve("missing") + "): ENOENT (No such file or directory)", missing.getMessage(),
                "the system's words, as a worker's failure has them");
        assertEquals(0, missing.getStackTrace().length, "no stack trace: a missing file is an everyday answer");
        InlineStats after = aio.inlineStats();
        assertEquals(before.opens() + 2, after.opens());
        assertEquals(before.stats() + 2, after.stats());
        assertEquals(before.closes() + 1, after.closes());
        assertEquals(before.opensToPool(), after.opensToPool());
        await(aio, aio.close(root, null));
    }

    @Test
    void opensThatWriteOrMeetAFifoGoToAWorkerWithTheirOwnSemantics() throws Exception {
        InlineStats before = aio.inlineStats();
        AioFile created = await(aio, aio.open(dir.resolve("new").toString(), O_WRONLY | O_CREAT, 0644, null));
        AioFile readWrite = await(aio, aio.open(dir.resolve("new").toString(), O_RDWR, 0, null));
        assertEquals(before, aio.inlineStats(), "not tried: they write");
        await(aio, aio.close(created, null));
        await(aio, aio.close(readWrite, null));
        assertEquals(before.closes(), aio.inlineStats().closes(), "files open for writing are closed by workers");

        Path fifo = Fifos.make(dir.resolve("fifo"));
        // A blocking open of a FIFO waits for a writer; tried here with O_NONBLOCK it would not.
        AioRequest<AioFile> blocked = aio.open(fifo.toString(), O_RDONLY, 0, null);
        assertEquals(before.opensToPool() + 1, aio.inlineStats().opensToPool(), "a FIFO is a worker's to open");
        assertFalse(blocked.isDone());
        assertEquals(1, aio.nreqs(), "still waiting for a writer");
        new FileOutputStream(fifo.toFile()).close();
        AioFile reader = await(aio, blocked);
        await(aio, aio.close(reader, null));
        AioFile nonBlocking = await(aio, aio.open(fifo.toString(), O_RDONLY | O_NONBLOCK, 0, null));
        await(aio, aio.close(nonBlocking, null));
    }

    @Test
    void aCallbackThatSubmitsAgainIsDeliveredByTheNextPollCbNotThisOne() throws Exception {
        Path path = file("chain", random(4096));
        AioFile file = await(aio, aio.open(path.toString(), O_RDONLY, 0, null));
        Files.readAllBytes(path);
        AtomicInteger reads = new AtomicInteger();
        AioCallback<Integer> again = new AioCallback<>() {
            @Override
            public void complete(Integer n, AioException error) {
                if (reads.incrementAndGet() < 1000) {
                    aio.read(file, 0, 16, new byte[16], 0, this);
                }
            }
        };
        aio.read(file, 0, 16, new byte[16], 0, again);
        int passes = 0;
        while (reads.get() < 1000) {
            assertEquals(1, aio.pollCb(), "each pass runs one callback and returns");
            passes++;
        }
        assertEquals(1000, passes);
        assertEquals(0, aio.nreqs());
        await(aio, aio.close(file, null));
    }

    @Test
    void onItsPollersThreadAResultCompletedHereCostsATaskNotAnEventfdWrite() throws Exception {
        Path path = file("poller", random(4096));
        Files.readAllBytes(path);
        ExecutorService loop = Executors.newSingleThreadExecutor();
        Thread loopThread = loop.submit(Thread::currentThread).get();
        AioContext[] context = new AioContext[1];
        AioPoller poller = new LoopPoller(loop, loopThread);
        context[0] = aio.newContext(poller);
        try {
            AioFile file = await(aio, aio.open(path.toString(), O_RDONLY, 0, null));
            context[0].pollFileno(); // watched, as an event loop would: a write to it would count
            CompletableFuture<Thread> ranOn = new CompletableFuture<>();
            AtomicInteger runs = new AtomicInteger();
            loop.submit(() -> context[0].read(file, 0, 100, new byte[100], 0, (n, e) -> {
                runs.incrementAndGet();
                ranOn.complete(Thread.currentThread());
            })).get();
            assertSame(loopThread, ranOn.get(30, TimeUnit.SECONDS), "the callback ran on the loop");
            assertEquals(0, context[0].wakeups(), "delivered by a task on the loop, not through the eventfd");
            loop.submit(() -> context[0].close()).get();
            assertEquals(1, runs.get(), "the callback ran once");
            await(aio, aio.close(file, null));
        } finally {
            loop.shutdownNow();
        }
    }

    /** Collects the engine's warnings (System.Logger goes to java.util.logging by default). */
    private static final class Warnings extends Handler implements AutoCloseable {
        private final Logger logger = Logger.getLogger(LinuxAio.class.getName());
        private final List<String> into;

        private Warnings(List<String> into) {
            this.into = into;
        }

        static Warnings collect(List<String> into) {
            Warnings warnings = new Warnings(into);
            warnings.logger.addHandler(warnings);
            return warnings;
        }

        @Override
        public void publish(LogRecord record) {
            synchronized (into) {
                into.add(record.getMessage());
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {
            logger.removeHandler(this);
        }
    }
}
