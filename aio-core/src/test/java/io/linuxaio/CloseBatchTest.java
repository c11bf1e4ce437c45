package io.linuxaio;

import static io.linuxaio.Fcntl.O_RDONLY;
import static io.linuxaio.Polling.await;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Closes that callbacks submit inside pollCb, made together as that pollCb ends (one
 * io_uring_enter with the batch's reads): every descriptor is closed by then, each callback runs in
 * a later pollCb with its outcome, a failed close reaches its callback with errno and path, and a
 * lone close, a close on a file system whose close flushes, and every close where io_uring is
 * refused are made with close(2) as before.
 *
 * <p>Where the kernel or a seccomp profile refuses io_uring, or the test's files lie on a file
 * system whose close may flush (overlayfs), nothing is batched and the tests check that instead.
 */
class CloseBatchTest extends PageCacheTestBase {
    CloseBatchTest() throws IOException {
        super("close-batch-");
    }

    /** One close waiting for its callback, and what came back. */
    private static final class PendingClose {
        final AioFile file;
        final List<Object> outcome = new ArrayList<>();

        PendingClose(AioFile file) {
            this.file = file;
        }

        void submit(AioContext aio) {
            aio.close(file, (v, e) -> outcome.add(e != null ? e : "closed"));
        }
    }

    /**
     * Submits every close inside one callback of a pollCb, and checks that none ran its callback
     * there; how many descriptors beneath the test's directory were still open as the callback ended.
     */
    private int closeInOneCallback(List<PendingClose> closes) throws AioException {
        int[] open = new int[1];
        inCallback(() -> {
            closes.forEach(c -> c.submit(aio));
            try {
                open[0] = OpenDescriptors.beneath(dir);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            closes.forEach(c -> assertEquals(List.of(), c.outcome, "no callback inside the submitting call"));
        });
        return open[0];
    }

    private List<PendingClose> openFiles(String prefix, int n) throws Exception {
        List<PendingClose> closes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            AioFile file = openCached(prefix + i, random(100));
            closes.add(new PendingClose(file));
        }
        return closes;
    }

    /** Whether closes of {@code file} in one pollCb go through the ring here. */
    private boolean batched(AioFile file) {
        return aio.shared().inline.batchesReads() && file.fileSystem == FileSystemKind.LOCAL_NO_FLUSH;
    }

    private long closesBatched() {
        return aio.shared().inline.closesBatched.sum();
    }

    @Test
    void closesOfOnePollCbAreMadeTogetherAsItEndsAndDeliveredByALaterOne() throws Exception {
        List<PendingClose> closes = openFiles("together-", 8);
        assertEquals(8, OpenDescriptors.beneath(dir));
        long batchedBefore = closesBatched();
        long closesBefore = aio.inlineStats().closes();
        // Whether they wait for the pollCb's end; a ring refused at that end (an emulated machine,
        // a seccomp profile) then makes them one by one.
        boolean wait = batched(closes.get(0).file);
        int openInsideTheCallback = closeInOneCallback(closes);
        assertEquals(0, OpenDescriptors.beneath(dir), "every descriptor closed once the pollCb ended");
        closes.forEach(c -> assertEquals(List.of(), c.outcome, "delivered by a later pollCb, not the one that submitted"));
        aio.pollCb();
        closes.forEach(c -> assertEquals(List.of("closed"), c.outcome));
        assertEquals(wait ? 8 : 0, openInsideTheCallback, wait ? "made as the pollCb ended" : "made at once");
        boolean ringMadeThem = batched(closes.get(0).file);
        assertEquals(ringMadeThem ? batchedBefore + 8 : batchedBefore, closesBatched());
        assertEquals(closesBefore + 8, aio.inlineStats().closes(), "every one closed on the polling thread");
        assertEquals(0, aio.nreqs());
    }

    @Test
    void aCloseTheKernelFailsReachesItsCallbackWithErrnoAndPathAndTheOthersStillClose() throws Exception {
        List<PendingClose> closes = openFiles("failing-", 2);
        // A descriptor number no process can have (beyond fs.nr_open's ceiling): close fails with
        // EBADF, in the ring as alone, and can never close a descriptor another test opened.
        AioFile bogus = new AioFile(Integer.MAX_VALUE, dir.resolve("never-opened").toString(), O_RDONLY,
                FileSystemKind.LOCAL_NO_FLUSH);
        closes.add(1, new PendingClose(bogus));
        inCallback(() -> closes.forEach(c -> c.submit(aio)));
        aio.pollCb();

        assertEquals(List.of("closed"), closes.get(0).outcome);
        assertEquals(List.of("closed"), closes.get(2).outcome);
        assertEquals(1, closes.get(1).outcome.size());
        AioException e = assertInstanceOf(AioException.class, closes.get(1).outcome.get(0));
        assertEquals(Errno.EBADF, e.errno());
        assertEquals("close", e.call());
        assertEquals(bogus.path(), e.path());
        assertEquals(0, OpenDescriptors.beneath(dir));
        assertEquals(0, aio.nreqs());
    }

    @Test
    void aLoneCloseIsMadeWithCloseItself() throws Exception {
        PendingClose close = openFiles("lone-", 1).get(0);
        long batchedBefore = closesBatched();
        inCallback(() -> close.submit(aio));
        assertEquals(0, OpenDescriptors.beneath(dir));
        aio.pollCb();
        assertEquals(List.of("closed"), close.outcome);
        assertEquals(batchedBefore, closesBatched(), "one close costs less than entering a ring");
    }

    @Test
    void closesOnAFileSystemWhoseCloseFlushesAreMadeOneByOne() throws Exception {
        // The same descriptors as files of a file system with a flush on close (overlayfs): io_uring
        // would hand each to its own threads, and the batch would wait for them.
        List<PendingClose> closes = new ArrayList<>();
        for (PendingClose opened : openFiles("flushing-", 4)) {
            AioFile file = opened.file;
            closes.add(new PendingClose(new AioFile(file.fd(), file.path(), O_RDONLY, FileSystemKind.LOCAL)));
        }
        long batchedBefore = closesBatched();
        long closesBefore = aio.inlineStats().closes();
        int openInsideTheCallback = closeInOneCallback(closes);
        aio.pollCb();
        closes.forEach(c -> assertEquals(List.of("closed"), c.outcome));
        assertEquals(0, openInsideTheCallback, "each closed in its own call");
        assertEquals(batchedBefore, closesBatched());
        assertEquals(closesBefore + 4, aio.inlineStats().closes(), "still closed on the polling thread");
        assertEquals(0, OpenDescriptors.beneath(dir));
    }

    @Test
    void aRefusedRingLeavesClosesToBeMadeOneByOne() throws Exception {
        List<PendingClose> closes = openFiles("refused-", 4);
        aio.shared().inline.injectRingErrno(Errno.EPERM);
        // A batch of two reads meets the refusal first where io_uring is allowed at all.
        AioFile file = openCached("refused-reader", random(8192));
        List<Object> reads = new ArrayList<>();
        inCallback(() -> {
            aio.read(file, 0, java.nio.ByteBuffer.allocateDirect(4096), (n, e) -> reads.add(e != null ? e : n));
            aio.read(file, 4096, java.nio.ByteBuffer.allocateDirect(4096), (n, e) -> reads.add(e != null ? e : n));
        });
        aio.pollCb();
        assertEquals(List.of(4096, 4096), reads);
        assertFalse(aio.shared().inline.batchesReads());

        long closesBefore = aio.inlineStats().closes();
        inCallback(() -> closes.forEach(c -> c.submit(aio)));
        aio.pollCb();
        closes.forEach(c -> assertEquals(List.of("closed"), c.outcome));
        assertEquals(0, closesBatched());
        assertEquals(closesBefore + 4, aio.inlineStats().closes(), "still closed on the polling thread, one by one");
        await(aio, aio.close(file, null));
        assertEquals(0, OpenDescriptors.beneath(dir));
    }
}
