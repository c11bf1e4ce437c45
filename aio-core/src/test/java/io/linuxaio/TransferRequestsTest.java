package io.linuxaio;

import static io.linuxaio.Fcntl.*;
import static io.linuxaio.Polling.await;
import static io.linuxaio.Polling.failure;
import static io.linuxaio.Refused.refused;
import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** sendfile, slurp, nop and busy: the requests that move a file's bytes as a whole, and the two that move none. */
class TransferRequestsTest extends EngineTestBase {
    private static final long GIB = 1L << 30;

    private AioFile open(String name, int flags) throws AioException {
        return await(aio, aio.open(path(name), flags, 0644, null));
    }

    private void close(AioFile file) throws AioException {
        await(aio, aio.close(file, null));
    }

    private static byte[] random(int n, long seed) {
        byte[] data = new byte[n];
        new Random(seed).nextBytes(data);
        return data;
    }

    // ---------------------------------------------------------------- sendfile

    @Test
    void sendfileWritesTheRangeAtTheOutputsPositionAndMovesIt() throws Exception {
        byte[] data = random(10_000, 1);
        Files.write(dir.resolve("in"), data);
        AioFile in = open("in", O_RDONLY);
        AioFile out = open("out", O_WRONLY | O_CREAT);
        assertEquals(1000L, await(aio, aio.sendfile(out, in, 10, 1000, null)));
        assertEquals(500L, await(aio, aio.sendfile(out, in, 5000, 500, null)), "the second lands after the first");
        close(in);
        close(out);
        byte[] expected = new byte[1500];
        System.arraycopy(data, 10, expected, 0, 1000);
        System.arraycopy(data, 5000, expected, 1000, 500);
        assertArrayEquals(expected, Files.readAllBytes(dir.resolve("out")));
    }

    @Test
    void sendfileStopsShortAtTheEndOfTheInput() throws Exception {
        Files.write(dir.resolve("in"), random(100, 2));
        AioFile in = open("in", O_RDONLY);
        AioFile out = open("out", O_WRONLY | O_CREAT);
        assertEquals(40L, await(aio, aio.sendfile(out, in, 60, 1000, null)));
        assertEquals(0L, await(aio, aio.sendfile(out, in, 100, 10, null)), "at the end, nothing");
        assertEquals(0L, await(aio, aio.sendfile(out, in, 0, 0, null)), "a length of 0 sends nothing");
        close(in);
        close(out);
        assertEquals(40, Files.size(dir.resolve("out")));
    }

    @Test
    void sendfileOfARangePast2And4GibOfASparseFileSendsThoseBytes() throws Exception {
        byte[] marker = "bytes beyond four gibibytes".getBytes(StandardCharsets.US_ASCII);
        byte[] early = "just past two".getBytes(StandardCharsets.US_ASCII);
        try (RandomAccessFile sparse = new RandomAccessFile(path("sparse"), "rw")) {
            sparse.setLength(5 * GIB);
            sparse.seek(4 * GIB + 12_345);
            sparse.write(marker);
            sparse.seek(2 * GIB + 1);
            sparse.write(early);
        }
        AioFile in = open("sparse", O_RDONLY);
        AioFile out = open("out", O_WRONLY | O_CREAT);
        assertEquals((long) marker.length + 10, await(aio, aio.sendfile(out, in, 4 * GIB + 12_345, marker.length + 10, null)));
        assertEquals((long) early.length, await(aio, aio.sendfile(out, in, 2 * GIB + 1, early.length, null)));
        assertEquals(0L, await(aio, aio.sendfile(out, in, 5 * GIB, 10, null)), "past the end of a 5 GiB file");
        close(in);
        close(out);
        byte[] expected = new byte[marker.length + 10 + early.length];
        System.arraycopy(marker, 0, expected, 0, marker.length);
        System.arraycopy(early, 0, expected, marker.length + 10, early.length);
        assertArrayEquals(expected, Files.readAllBytes(dir.resolve("out")));
    }

    @Test
    void sendfileOfMoreThanTheKernelsLimitOfOneCallIsOneRequest() throws Exception {
        // sendfile(2) moves at most 0x7ffff000 bytes a call; a longer length takes several calls,
        // which the worker makes. /dev/null takes the bytes. On tmpfs a hole is read as the zero
        // page, so the 2 GiB cost neither disk nor memory (elsewhere the page cache fills).
        long length = 2 * GIB + 3 * 4096 + 17;
        Path shm = Path.of("/dev/shm");
        boolean tmpfs = Files.isDirectory(shm) && "tmpfs".equals(Files.getFileStore(shm).type());
        Path sparse = tmpfs ? Files.createTempFile(shm, "aio-sendfile-", ".sparse") : dir.resolve("sparse");
        try {
            try (RandomAccessFile file = new RandomAccessFile(sparse.toFile(), "rw")) {
                file.setLength(length + 100);
            }
            AioFile in = await(aio, aio.open(sparse.toString(), O_RDONLY, 0, null));
            AioFile devNull = await(aio, aio.open("/dev/null", O_WRONLY, 0, null));
            assertEquals(length, await(aio, aio.sendfile(devNull, in, 100, length, null)));
            close(in);
            close(devNull);
        } finally {
            Files.deleteIfExists(sparse);
        }
    }

    @Test
    void sendfileToAPipeCallsAgainUntilEveryByteWent() throws Exception {
        // The kernel moves at most a pipe's capacity (64 KiB) a call into a pipe.
        byte[] data = random(1 << 20, 3);
        Files.write(dir.resolve("in"), data);
        Path fifo = dir.resolve("fifo");
        AioFile in = open("in", O_RDONLY);
        AioFile out = openFifo(fifo);
        CompletableFuture<byte[]> drained = drain(fifo, data.length);
        try {
            assertEquals((long) data.length, await(aio, aio.sendfile(out, in, 0, data.length, null)));
        } finally {
            close(out); // a reader still waiting for bytes meets the end
        }
        assertArrayEquals(data, drained.get());
        close(in);
    }

    /** Makes a FIFO and opens it to write to; O_RDWR, so the open does not wait for a reader. */
    private AioFile openFifo(Path fifo) throws AioException {
        await(aio, aio.mknod(fifo.toString(), S_IFIFO | 0600, 0, null));
        return await(aio, aio.open(fifo.toString(), O_RDWR, 0, null));
    }

    /** Reads {@code n} bytes from a FIFO on another thread. */
    private static CompletableFuture<byte[]> drain(Path fifo, int n) {
        return CompletableFuture.supplyAsync(() -> {
            try (InputStream reader = new FileInputStream(fifo.toFile())) {
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                byte[] chunk = new byte[8192];
                while (got.size() < n) {
                    int r = reader.read(chunk, 0, Math.min(chunk.length, n - got.size()));
                    if (r < 0) {
                        break;
                    }
                    got.write(chunk, 0, r);
                }
                return got.toByteArray();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void aCloseOfTheOutputWaitsForARunningSendfile() throws Exception {
        byte[] data = random(1 << 20, 4);
        Files.write(dir.resolve("in"), data);
        Path fifo = dir.resolve("fifo");
        AioFile in = open("in", O_RDONLY);
        AioFile out = openFifo(fifo);
        // Nobody reads yet: the sendfile fills the pipe and waits in the kernel for room.
        AioRequest<Long> send = aio.sendfile(out, in, 0, data.length, null);
        AioRequest<Void> closing;
        CompletableFuture<byte[]> drained;
        try {
            Polling.eventually("the sendfile is taken by a worker", () -> aio.nready() == 0);
            closing = aio.close(out, null);
            assertThrows(IllegalStateException.class, () -> aio.sendfile(out, in, 0, 1, null), "a closing output takes no more");
            // A close that did not wait would run now on another worker, and the sendfile's next
            // call would meet a closed descriptor: a short count.
            await(aio, aio.nop(null));
            assertFalse(closing.isDone(), "the close waits for the sendfile");
        } finally {
            drained = drain(fifo, data.length); // whatever happened, the sendfile must not wait for ever
        }
        assertEquals((long) data.length, await(aio, send));
        await(aio, closing);
        assertArrayEquals(data, drained.get());
        close(in);
    }

    @Test
    void sendfileToAnAppendOnlyFileIsCopiedThroughTheWorker() throws Exception {
        // The kernel refuses O_APPEND output with EINVAL; IO::AIO then reads and writes itself.
        byte[] data = random(300_000, 5);
        Files.write(dir.resolve("in"), data);
        Files.write(dir.resolve("log"), "head|".getBytes(StandardCharsets.US_ASCII));
        AioFile in = open("in", O_RDONLY);
        AioFile log = open("log", O_WRONLY | O_APPEND);
        assertEquals(299_000L, await(aio, aio.sendfile(log, in, 1000, 400_000, null)), "to the end of the input");
        close(in);
        close(log);
        byte[] got = Files.readAllBytes(dir.resolve("log"));
        assertEquals("head|", new String(got, 0, 5, StandardCharsets.US_ASCII));
        assertArrayEquals(Arrays.copyOfRange(data, 1000, data.length), Arrays.copyOfRange(got, 5, got.length));
    }

    @Test
    void sendfileFromAFileNotOpenForReadingFailsWithEbadf() throws Exception {
        AioFile in = open("in", O_WRONLY | O_CREAT);
        AioFile out = open("out", O_WRONLY | O_CREAT);
        AioException e = failure(aio, aio.sendfile(out, in, 0, 10, null));
        assertEquals("EBADF", e.errnoName());
        assertEquals("sendfile", e.call());
        assertEquals(path("in"), e.path());
        close(in);
        close(out);
    }

    @Test
    void sendfileArgumentsAreCheckedInTheCaller() throws Exception {
        AioFile in = open("in", O_RDWR | O_CREAT);
        AioFile out = open("out", O_WRONLY | O_CREAT);
        refused(aio, NullPointerException.class, () -> aio.sendfile(null, in, 0, 1, null));
        refused(aio, NullPointerException.class, () -> aio.sendfile(out, null, 0, 1, null));
        refused(aio, IllegalArgumentException.class, () -> aio.sendfile(out, in, -1, 1, null));
        refused(aio, IllegalArgumentException.class, () -> aio.sendfile(out, in, 0, -1, null));
        refused(aio, IllegalArgumentException.class, () -> aio.sendfile(out, in, Long.MAX_VALUE, 2, null));
        close(out);
        refused(aio, IllegalStateException.class, () -> aio.sendfile(out, in, 0, 1, null));
        // The input was acquired before the closed output was refused: it must have been let go,
        // or this close would wait forever.
        close(in);
        refused(aio, IllegalStateException.class, () -> aio.sendfile(out, in, 0, 1, null));
    }

    // ---------------------------------------------------------------- slurp

    @Test
    void slurpReadsAWholeFileUpToItsMaximum() throws Exception {
        byte[] data = random(700_000, 6);
        Files.write(dir.resolve("f"), data);
        assertArrayEquals(data, await(aio, aio.slurp(path("f"), 700_000, null)), "exactly the maximum is accepted");
        assertArrayEquals(data, await(aio, aio.slurp(path("f"), Integer.MAX_VALUE - 9, null)),
                "a large maximum allocates by the file's size");
        Files.write(dir.resolve("empty"), new byte[0]);
        assertArrayEquals(new byte[0], await(aio, aio.slurp(path("empty"), 10, null)));
    }

    @Test
    void slurpOfAFileLargerThanTheMaximumFailsWithEfbig() throws Exception {
        Files.write(dir.resolve("f"), new byte[1001]);
        AioException e = failure(aio, aio.slurp(path("f"), 1000, null));
        assertEquals("EFBIG", e.errnoName());
        assertEquals(path("f"), e.path());
        assertTrue(e.getMessage().contains("1000"), e.getMessage());
    }

    @Test
    void slurpReadsWhatAProcFileHoldsThoughItsSizeSaysNothing() throws Exception {
        byte[] status = await(aio, aio.slurp("/proc/self/status", 1 << 20, null));
        String text = new String(status, StandardCharsets.US_ASCII);
        assertTrue(text.startsWith("Name:") && text.contains("\nVmRSS:"), text);
        AioException tooSmall = failure(aio, aio.slurp("/proc/self/status", 100, null));
        assertEquals("EFBIG", tooSmall.errnoName(), "a file that grows past its size still meets the maximum");
    }

    @Test
    void slurpOfARangeGivesThatRangeOrLessAtTheEnd() throws Exception {
        byte[] data = random(5000, 7);
        Files.write(dir.resolve("f"), data);
        assertArrayEquals(Arrays.copyOfRange(data, 100, 400), await(aio, aio.slurp(path("f"), 100, 300, null)));
        assertArrayEquals(Arrays.copyOfRange(data, 4900, 5000), await(aio, aio.slurp(path("f"), 4900, 300, null)));
        assertArrayEquals(new byte[0], await(aio, aio.slurp(path("f"), 9000, 300, null)), "past the end: nothing");
        assertArrayEquals(new byte[0], await(aio, aio.slurp(path("f"), 0, 0, null)));
        AioFile file = open("f", O_RDONLY);
        assertArrayEquals(Arrays.copyOfRange(data, 1, 4001), await(aio, aio.slurp(file, 1, 4000, null)));
        close(file);
    }

    @Test
    void slurpatReadsAFileBelowADirectory() throws Exception {
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub/f"), "below");
        AioFile sub = await(aio, aio.open(path("sub"), O_PATH | O_DIRECTORY, 0, null));
        assertEquals("below", new String(await(aio, aio.slurpat(sub, "f", 100, null)), StandardCharsets.US_ASCII));
        AioException missing = failure(aio, aio.slurpat(sub, "none", 100, null));
        assertEquals("ENOENT", missing.errnoName());
        assertEquals(path("sub") + "/none", missing.path());
        close(sub);
        assertThrows(IllegalStateException.class, () -> aio.slurpat(sub, "f", 100, null));
    }

    @Test
    void slurpFailuresReachTheCallback() {
        AioException missing = failure(aio, aio.slurp(path("missing"), 100, null));
        assertEquals("ENOENT", missing.errnoName());
        assertEquals("slurp", missing.call());
        assertEquals("EISDIR", failure(aio, aio.slurp(dir.toString(), 100, null)).errnoName());
    }

    @Test
    void slurpArgumentsAreCheckedInTheCaller() {
        refused(aio, IllegalArgumentException.class, () -> aio.slurp(path("f"), -1, null));
        refused(aio, IllegalArgumentException.class, () -> aio.slurp(path("f"), Integer.MAX_VALUE, null));
        refused(aio, IllegalArgumentException.class, () -> aio.slurp(path("f"), Integer.MAX_VALUE - 8, null));
        refused(aio, IllegalArgumentException.class, () -> aio.slurp(path("f"), -1, 10, null));
        refused(aio, IllegalArgumentException.class, () -> aio.slurp(path("f"), Long.MAX_VALUE, 10, null));
        refused(aio, NullPointerException.class, () -> aio.slurp((String) null, 10, null));
        refused(aio, IllegalArgumentException.class, () -> aio.slurp("a\0b", 10, null));
    }

    // ---------------------------------------------------------------- nop, busy

    @Test
    void nopRunsItsCallbackAfterATripThroughAWorker() throws Exception {
        AioRequest<Void> nop = aio.nop(null);
        assertFalse(nop.isDone(), "a callback never runs inside the call that submitted it");
        assertNull(await(aio, nop));
        assertEquals(0, aio.nreqs());
    }

    @Test
    void busyHoldsAWorkerForItsDelay() throws Exception {
        aio.maxParallel(1);
        long start = System.nanoTime();
        AioRequest<Void> busy = aio.busy(Duration.ofMillis(200), null);
        AioRequest<Void> after = aio.nop(null);
        await(aio, after);
        assertTrue(busy.isDone(), "the one worker was busy first");
        assertTrue(System.nanoTime() - start >= Duration.ofMillis(200).toNanos(), "busy for its delay at least");
        await(aio, aio.busy(Duration.ZERO, null));
        refused(aio, IllegalArgumentException.class, () -> aio.busy(Duration.ofMillis(-1), null));
        refused(aio, NullPointerException.class, () -> aio.busy(null, null));
    }
}
