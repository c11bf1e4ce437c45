package io.linuxaio;

import static io.linuxaio.Fcntl.O_RDONLY;
import static io.linuxaio.Polling.await;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Reads that callbacks submit inside pollCb, tried first together as that pollCb ends (one
 * io_uring_enter for the lot): each gets its own bytes, what the page cache lacks still goes to a
 * worker, a callback still runs only in a later pollCb, a cancel still silences one, and where
 * io_uring is refused the reads are tried one by one as before.
 *
 * <p>Where the kernel or a seccomp profile refuses io_uring (a container's default profile, an
 * emulated machine), {@link InlineStats#readsBatched()} stays 0 and the tests check that instead:
 * the reads must be right either way.
 */
class ReadBatchTest extends PageCacheTestBase {
    private static final int BLOCK = 4096;

    ReadBatchTest() throws IOException {
        super("read-batch-");
    }

    /** One read waiting for its callback: where it reads, into what, and what came back. */
    private static final class Pending {
        final long offset;
        final ByteBuffer dst;
        final List<Object> outcome = new ArrayList<>();

        Pending(long offset, int length) {
            this.offset = offset;
            this.dst = ByteBuffer.allocateDirect(length);
        }

        void submit(AioContext aio, AioFile file) {
            aio.read(file, offset, dst, (n, e) -> outcome.add(e != null ? e : n));
        }

        byte[] bytes() {
            byte[] got = new byte[dst.position()];
            dst.flip().get(got);
            return got;
        }

        /** Its callback ran once, with what {@code data} holds from its offset, up to its length or the end. */
        void assertGot(byte[] data) {
            int expected = (int) Math.max(0, Math.min(dst.capacity(), data.length - offset));
            assertEquals(List.of(expected), outcome, "at " + offset + ", " + dst.capacity() + " bytes");
            int from = (int) Math.min(offset, data.length);
            assertArrayEquals(Arrays.copyOfRange(data, from, from + expected), bytes());
        }
    }

    /** Reads of the first {@code n} blocks, one each. */
    private static List<Pending> blocks(int n) {
        List<Pending> reads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            reads.add(new Pending((long) i * BLOCK, BLOCK));
        }
        return reads;
    }

    private boolean ringsWork() {
        return aio.shared().inline.batchesReads();
    }

    @Test
    void readsSubmittedByCallbacksGetTheirOwnBytesAndAreDeliveredByALaterPollCb() throws Exception {
        byte[] data = random(64 * BLOCK);
        AioFile file = openCached("cached", data);
        long workersRead = WorkerIo.rchar();
        InlineStats before = aio.inlineStats();
        List<Pending> reads = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            reads.add(new Pending((long) ((i * 7) % 64) * BLOCK + i, BLOCK - 3 * i));
        }
        inCallback(() -> reads.forEach(r -> r.submit(aio, file)));

        assertTrue(reads.stream().allMatch(r -> r.outcome.isEmpty()), "no callback in the pollCb that submitted them");
        assertEquals(16, aio.npending(), "made as that pollCb ended, and waiting for the next");
        assertEquals(16, aio.pollCb());
        reads.forEach(r -> r.assertGot(data));
        InlineStats after = aio.inlineStats();
        assertEquals(before.reads() + 16, after.reads());
        assertEquals(before.readsToPool(), after.readsToPool());
        assertEquals(before.readsBatched() + (ringsWork() ? 16 : 0), after.readsBatched());
        assertEquals(workersRead, WorkerIo.rchar(), "no worker read a byte");
        await(aio, aio.close(file, null));
    }

    @Test
    void aBatchedReadOfAnEvictedFileGoesToAWorkerAndTheOthersDoNot() throws Exception {
        byte[] cachedData = random(8 * BLOCK);
        byte[] evictedData = random(1 << 20);
        AioFile cached = openCached("cached", cachedData);
        AioFile evicted = await(aio, aio.open(file("evicted", evictedData).toString(), O_RDONLY, 0, null));
        assertEquals(0, Posix.posix_fadvise(evicted.fd(), 0, 0, Posix.POSIX_FADV_DONTNEED));
        long workersRead = WorkerIo.rchar();
        InlineStats before = aio.inlineStats();
        Pending first = new Pending(0, 8 * BLOCK);
        Pending missing = new Pending(0, evictedData.length);
        Pending last = new Pending(BLOCK, BLOCK);
        inCallback(() -> {
            first.submit(aio, cached);
            missing.submit(aio, evicted);
            last.submit(aio, cached);
        });
        Polling.until(aio, () -> !missing.outcome.isEmpty());

        assertEquals(List.of(evictedData.length), missing.outcome);
        assertArrayEquals(evictedData, missing.bytes());
        assertArrayEquals(cachedData, first.bytes());
        assertArrayEquals(Arrays.copyOfRange(cachedData, BLOCK, 2 * BLOCK), last.bytes());
        InlineStats after = aio.inlineStats();
        assertEquals(before.readsToPool() + 1, after.readsToPool(), "EAGAIN: handed to a worker");
        assertEquals(before.reads() + 2, after.reads());
        assertEquals(before.readsBatched() + (ringsWork() ? 2 : 0), after.readsBatched());
        assertTrue(WorkerIo.rchar() - workersRead >= evictedData.length, "a worker read the evicted file");
        await(aio, aio.close(cached, null));
        await(aio, aio.close(evicted, null));
    }

    @Test
    void aBatchedReadWhoseStartIsCachedKeepsThatStartAndAWorkerReadsTheRest() throws Exception {
        byte[] data = random(1 << 20);
        int half = data.length / 2;
        withOnlyTheStartCached("half", data, half, file -> {
            long workersRead = WorkerIo.rchar();
            InlineStats before = aio.inlineStats();
            Pending whole = new Pending(0, data.length);
            Pending start = new Pending(100, BLOCK);
            inCallback(() -> {
                whole.submit(aio, file);
                start.submit(aio, file);
            });
            Polling.until(aio, () -> !whole.outcome.isEmpty() && !start.outcome.isEmpty());

            assertEquals(List.of(data.length), whole.outcome);
            assertArrayEquals(data, whole.bytes());
            assertArrayEquals(Arrays.copyOfRange(data, 100, 100 + BLOCK), start.bytes());
            return aWorkerReadTheRest(before, workersRead, half);
        });
    }

    @Test
    void batchedReadsAtAndPastTheEndAreShortAndFinishedHere() throws Exception {
        byte[] data = random(1000);
        AioFile file = openCached("short", data);
        InlineStats before = aio.inlineStats();
        Pending across = new Pending(0, 64 * 1024);
        Pending past = new Pending(5000, 100);
        Pending empty = new Pending(10, 0);
        inCallback(() -> {
            across.submit(aio, file);
            past.submit(aio, file);
            empty.submit(aio, file);
        });
        aio.pollCb();

        assertEquals(List.of(1000), across.outcome);
        assertArrayEquals(data, across.bytes());
        assertEquals(List.of(0), past.outcome);
        assertEquals(List.of(0), empty.outcome);
        assertEquals(before.reads() + 3, aio.inlineStats().reads(), "the end of the file needs no worker");
        assertEquals(before.readsToPool(), aio.inlineStats().readsToPool());
        await(aio, aio.close(file, null));
    }

    @Test
    void aBatchedReadCancelledBeforeItIsMadeRunsNoCallbackAndLetsItsFileGo() throws Exception {
        byte[] data = random(2 * BLOCK);
        AioFile file = openCached("cancel", data);
        Pending kept = new Pending(0, BLOCK);
        Pending cancelled = new Pending(BLOCK, BLOCK);
        boolean[] cancelledIt = new boolean[1];
        inCallback(() -> {
            kept.submit(aio, file);
            AioRequest<Integer> doomed = aio.read(file, cancelled.offset, cancelled.dst,
                    (n, e) -> cancelled.outcome.add(n));
            cancelledIt[0] = doomed.cancel();
        });
        aio.pollCb();

        assertTrue(cancelledIt[0]);
        assertEquals(List.of(BLOCK), kept.outcome);
        assertEquals(List.of(), cancelled.outcome, "a cancelled read's callback never runs");
        assertEquals(0, aio.nreqs(), "both counted out");
        await(aio, aio.close(file, null)); // would wait for ever if the cancelled read held the file
        assertTrue(file.isClosed());
    }

    @Test
    void moreReadsThanOneBatchHoldsAreAllMadeRight() throws Exception {
        byte[] data = random(256 * BLOCK);
        AioFile file = openCached("many", data);
        List<Pending> reads = new ArrayList<>();
        for (int i = 0; i < RingBatch.CAPACITY * 3 + 5; i++) {
            reads.add(new Pending((long) (i % 256) * BLOCK, BLOCK));
        }
        inCallback(() -> reads.forEach(r -> r.submit(aio, file)));
        aio.pollCb();

        reads.forEach(r -> r.assertGot(data));
        await(aio, aio.close(file, null));
    }

    @Test
    void aRefusedRingSwitchesBatchingOffForTheEngineAndReadsGoOnOneByOne() throws Exception {
        byte[] data = random(4 * BLOCK);
        AioFile file = openCached("refused", data);
        InlineStats before = aio.inlineStats();
        aio.shared().inline.injectRingErrno(Errno.EPERM);
        for (int round = 0; round < 2; round++) {
            List<Pending> reads = List.of(new Pending(0, BLOCK), new Pending(3 * BLOCK, BLOCK));
            inCallback(() -> reads.forEach(r -> r.submit(aio, file)));
            aio.pollCb();
            assertArrayEquals(Arrays.copyOfRange(data, 0, BLOCK), reads.get(0).bytes());
            assertArrayEquals(Arrays.copyOfRange(data, 3 * BLOCK, 4 * BLOCK), reads.get(1).bytes());
        }
        InlineStats after = aio.inlineStats();
        assertFalse(ringsWork());
        assertEquals(before.refused(), after.refused(), "no read was refused: each was tried alone");
        assertEquals(0, after.readsBatched());
        assertEquals(before.reads() + 4, after.reads(), "still completed here, one by one");
        await(aio, aio.close(file, null));
    }

    @Test
    void theRingIsClosedWithItsContext() throws Exception {
        byte[] data = random(2 * BLOCK);
        AioFile file = openCached("ring-fd", data);
        int ringsBefore = rings();
        AioContext context = aio.newContext();
        Pending a = new Pending(0, BLOCK);
        Pending b = new Pending(BLOCK, BLOCK);
        AioRequest<Void> nop = context.nop((v, e) -> {
            a.submit(context, file);
            b.submit(context, file);
        });
        await(context, nop);
        Polling.until(context, () -> !a.outcome.isEmpty() && !b.outcome.isEmpty());
        assertEquals(ringsWork() ? ringsBefore + 1 : ringsBefore, rings(), "one ring for the context's batches");
        context.close();
        assertEquals(ringsBefore, rings(), "closed with the context");
        await(aio, aio.close(file, null));
    }

    @Test
    void aCallbackThatClosesItsContextAfterBatchingReadsStillGetsEveryOneDelivered() throws Exception {
        byte[] data = random(8 * BLOCK);
        AioFile file = openCached("close-inside", data);
        int ringsBefore = rings();
        AioContext context = aio.newContext();
        List<Pending> reads = blocks(5);
        AioRequest<Void> nop = context.nop((v, e) -> {
            reads.forEach(r -> r.submit(context, file));
            context.close(); // drains: the batch is made and delivered before close returns
        });
        Polling.until(context, nop::isDone);

        reads.forEach(r -> r.assertGot(data));
        assertEquals(ringsBefore, rings(), "the ring closed with the context");
        assertThrows(IllegalStateException.class, () -> context.read(file, 0, ByteBuffer.allocateDirect(1), null));
        await(aio, aio.close(file, null));
    }

    /**
     * The drain such a close makes must not wait for what the running pollCb's callbacks finished
     * themselves (read here, batched or not): no wait sees those, so with a drain as patient as an
     * hour, waiting would hang the test rather than cost 100 ms as it once did.
     */
    @Test
    void aContextClosedByItsOwnCallbackRunsWhatItFinishedWithoutWaiting() throws Exception {
        byte[] data = random(4 * BLOCK);
        AioFile file = openCached("close-no-wait", data);
        AioContext context = aio.newContext();
        context.completions.drainPatience = Duration.ofHours(1);
        List<Pending> reads = blocks(3);
        byte[] heap = new byte[BLOCK];
        List<Object> heapOutcome = new ArrayList<>();
        AioRequest<Void> nop = context.nop((v, e) -> {
            reads.forEach(r -> r.submit(context, file)); // batched where io_uring is allowed
            context.read(file, 3 * BLOCK, BLOCK, heap, 0, (n, f) -> heapOutcome.add(f != null ? f : n)); // never batched
            context.close();
        });
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> Polling.until(context, nop::isDone),
                "the drain waited for results its own pollCb had finished");

        reads.forEach(r -> r.assertGot(data));
        assertEquals(List.of(BLOCK), heapOutcome);
        assertArrayEquals(Arrays.copyOfRange(data, 3 * BLOCK, 4 * BLOCK), heap);
        assertTrue(context.isClosed());
        await(aio, aio.close(file, null));
    }

    @Test
    void manyReadsOfCachedEvictedAndShortRangesAllGetTheirBytes() throws Exception {
        byte[] data = random(512 * BLOCK);
        AioFile cached = openCached("many-cached", data);
        AioFile evicted = await(aio, aio.open(file("many-evicted", data).toString(), O_RDONLY, 0, null));
        java.util.SplittableRandom random = new java.util.SplittableRandom(12);
        for (int round = 0; round < 20; round++) {
            if (round % 4 == 0) {
                assertEquals(0, Posix.posix_fadvise(evicted.fd(), 0, 0, Posix.POSIX_FADV_DONTNEED));
            }
            List<Pending> reads = new ArrayList<>();
            List<AioFile> files = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                long offset = random.nextLong(data.length + BLOCK); // some past the end
                reads.add(new Pending(offset, 1 + random.nextInt(3 * BLOCK)));
                files.add(random.nextBoolean() ? cached : evicted);
            }
            inCallback(() -> {
                for (int i = 0; i < reads.size(); i++) {
                    reads.get(i).submit(aio, files.get(i));
                }
            });
            Polling.until(aio, () -> reads.stream().noneMatch(r -> r.outcome.isEmpty()));
            reads.forEach(r -> r.assertGot(data));
        }
        assertEquals(0, aio.nreqs());
        await(aio, aio.close(cached, null));
        await(aio, aio.close(evicted, null));
    }

    @Test
    void aFileOpenedForDirectIoIsNeverReadOnThePollingThread() throws Exception {
        byte[] data = random(4 * BLOCK);
        Path path = file("direct", data);
        AioFile file;
        try {
            file = await(aio, aio.open(path.toString(), O_RDONLY | Fcntl.O_DIRECT, 0, null));
        } catch (AioException e) {
            assumeTrue(e.errno() != Errno.EINVAL, "this file system takes no O_DIRECT");
            throw e;
        }
        Files.readAllBytes(path);
        InlineStats before = aio.inlineStats();
        long workersRead = WorkerIo.rchar();
        ByteBuffer dst = ByteBuffer.allocateDirect(3 * BLOCK).alignedSlice(BLOCK);
        assertEquals(2 * BLOCK, await(aio, aio.read(file, BLOCK, dst, null)));
        byte[] got = new byte[2 * BLOCK];
        dst.flip().get(got);
        assertArrayEquals(Arrays.copyOfRange(data, BLOCK, 3 * BLOCK), got);
        assertEquals(before, aio.inlineStats(), "not tried here: RWF_NOWAIT does not keep a direct read off the disk");
        assertTrue(WorkerIo.rchar() - workersRead >= 2 * BLOCK, "a worker read it");
        await(aio, aio.close(file, null));
    }

    /** io_uring instances this process has open. */
    private static int rings() throws IOException {
        int n = 0;
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    if (Files.readSymbolicLink(fd).toString().equals("anon_inode:[io_uring]")) {
                        n++;
                    }
                } catch (IOException gone) {
                    // closed while listed
                }
            }
        }
        return n;
    }
}
