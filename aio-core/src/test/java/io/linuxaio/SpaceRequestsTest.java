package io.linuxaio;

import static io.linuxaio.AioContext.*;
import static io.linuxaio.Fcntl.*;
import static io.linuxaio.Polling.await;
import static io.linuxaio.Polling.failure;
import static io.linuxaio.Refused.refused;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** allocate, fiemap and seek: where a file's bytes are, and making or freeing room for them. */
class SpaceRequestsTest extends EngineTestBase {
    private static final int KIB = 1024;
    private static final int MIB = 1024 * KIB;

    /** A file of {@code size} bytes holding {@code 0x5A} only in the given [start, end) ranges: holes elsewhere. */
    private Path sparse(String name, long size, long[]... ranges) throws Exception {
        Path file = dir.resolve(name);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            for (long[] range : ranges) {
                byte[] data = new byte[(int) (range[1] - range[0])];
                Arrays.fill(data, (byte) 0x5A);
                raf.seek(range[0]);
                raf.write(data);
            }
            raf.setLength(size);
        }
        return file;
    }

    private AioFile open(Path file, int flags) throws AioException {
        return await(aio, aio.open(file.toString(), flags, 0, null));
    }

    // ---------------------------------------------------------------- allocate

    @Test
    void allocateGrowsTheFileOrKeepsItsSize() throws Exception {
        AioFile file = await(aio, aio.open(path("f"), O_RDWR | O_CREAT, 0644, null));
        await(aio, aio.allocate(file, 0, 0, MIB, null));
        Stat grown = await(aio, aio.stat(file, null));
        assertEquals(MIB, grown.size());
        assertTrue(grown.blocks() * 512 >= MIB, "the blocks are allocated: " + grown);
        await(aio, aio.allocate(file, FALLOC_FL_KEEP_SIZE, MIB, 2 * MIB, null));
        Stat kept = await(aio, aio.stat(file, null));
        assertEquals(MIB, kept.size(), "KEEP_SIZE");
        assertTrue(kept.blocks() * 512 >= 3 * MIB, "and yet allocated beyond the end: " + kept);
        await(aio, aio.close(file, null));
    }

    @Test
    void allocateWithPunchHoleFreesARangeThatThenReadsAsZeros() throws Exception {
        byte[] data = new byte[4 * MIB];
        Arrays.fill(data, (byte) 7);
        Files.write(dir.resolve("f"), data);
        AioFile file = await(aio, aio.open(path("f"), O_RDWR, 0, null));
        await(aio, aio.fsync(file, null));
        long before = await(aio, aio.stat(file, null)).blocks();
        await(aio, aio.allocate(file, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, MIB, 2 * MIB, null));
        Stat after = await(aio, aio.stat(file, null));
        assertEquals(4 * MIB, after.size());
        assertTrue(after.blocks() < before, before + " blocks, then " + after.blocks());
        byte[] got = await(aio, aio.slurp(file, 0, 4 * MIB, null));
        assertEquals(7, got[MIB - 1]);
        assertArrayEquals(new byte[2 * MIB], Arrays.copyOfRange(got, MIB, 3 * MIB));
        assertEquals(7, got[3 * MIB]);
        assertEquals((long) MIB, await(aio, aio.seek(file, 0, SEEK_HOLE, null)), "the hole is seen by SEEK_HOLE");
        await(aio, aio.close(file, null));
    }

    @Test
    void allocateFailuresReachTheCallback() throws Exception {
        AioFile file = await(aio, aio.open(path("f"), O_RDWR | O_CREAT, 0644, null));
        AioException alone = failure(aio, aio.allocate(file, FALLOC_FL_PUNCH_HOLE, 0, 4096, null));
        assertEquals("EOPNOTSUPP", alone.errnoName(), "PUNCH_HOLE needs KEEP_SIZE");
        assertEquals("fallocate", alone.call());
        assertEquals(path("f"), alone.path());
        await(aio, aio.close(file, null));
        AioFile readOnly = await(aio, aio.open(path("f"), O_RDONLY, 0, null));
        assertEquals("EBADF", failure(aio, aio.allocate(readOnly, 0, 0, 4096, null)).errnoName());
        refused(aio, IllegalArgumentException.class, () -> aio.allocate(readOnly, 0x04, 0, 4096, null)); // FALLOC_FL_NO_HIDE_STALE
        refused(aio, IllegalArgumentException.class, () -> aio.allocate(readOnly, 0x80, 0, 4096, null));
        refused(aio, IllegalArgumentException.class, () -> aio.allocate(readOnly, 0, 0, 0, null));
        refused(aio, IllegalArgumentException.class, () -> aio.allocate(readOnly, 0, -1, 10, null));
        refused(aio, IllegalArgumentException.class, () -> aio.allocate(readOnly, 0, Long.MAX_VALUE, 10, null));
        await(aio, aio.close(readOnly, null));
        refused(aio, IllegalStateException.class, () -> aio.allocate(readOnly, 0, 0, 4096, null));
    }

    // ---------------------------------------------------------------- fiemap

    /** The extents' [start, end) ranges, adjacent ones merged: what a file system may split is its own affair. */
    private static List<List<Long>> ranges(List<Extent> extents) {
        List<List<Long>> ranges = new ArrayList<>();
        for (Extent e : extents) {
            int last = ranges.size() - 1;
            if (last >= 0 && ranges.get(last).get(1) == e.logical()) {
                ranges.set(last, List.of(ranges.get(last).get(0), e.end()));
            } else {
                ranges.add(List.of(e.logical(), e.end()));
            }
        }
        return ranges;
    }

    /** fiemap of a file here, skipping the test on a file system without FIEMAP (tmpfs as /tmp). */
    private List<Extent> fiemapHere(AioFile file, long start, long length) throws AioException {
        AioRequest<List<Extent>> request = aio.fiemap(file, start, length, FIEMAP_FLAG_SYNC, null);
        try {
            return await(aio, request);
        } catch (AioException e) {
            assumeTrue(!e.errnoName().equals("EOPNOTSUPP"), "the test directory's file system has no FIEMAP");
            throw e;
        }
    }

    @Test
    void fiemapOfASparseFileReportsItsDataAndNoneOfItsHoles() throws Exception {
        Path file = sparse("sparse", 8L * MIB, new long[] {0, 8 * KIB}, new long[] {MIB, MIB + 8 * KIB},
                new long[] {5 * MIB, 5 * MIB + 4 * KIB});
        AioFile f = open(file, O_RDONLY);
        List<Extent> extents = fiemapHere(f, 0, Long.MAX_VALUE);
        assertEquals(List.of(List.of(0L, 8L * KIB), List.of((long) MIB, MIB + 8L * KIB), List.of(5L * MIB, 5L * MIB + 4 * KIB)),
                ranges(extents), extents.toString());
        assertTrue(extents.get(extents.size() - 1).isLast(), extents.toString());
        assertEquals(extents, await(aio, aio.fiemap(f, FIEMAP_FLAG_SYNC, null)), "the whole-file form");
        for (Extent e : extents) {
            assertTrue(e.physical() > 0 && (e.flags() & Extent.FIEMAP_EXTENT_DELALLOC) == 0, "synced first: " + e);
        }

        List<Extent> middle = fiemapHere(f, MIB + 4 * KIB, KIB);
        assertEquals(1, ranges(middle).size(), middle.toString());
        assertTrue(middle.get(0).logical() <= MIB + 4 * KIB && middle.get(middle.size() - 1).end() >= MIB + 5 * KIB,
                "the extent holding the range, though it starts before it: " + middle);
        assertEquals(List.of(), fiemapHere(f, 2 * MIB, MIB), "a hole has no extents");
        await(aio, aio.close(f, null));
    }

    @Test
    void fiemapOfMoreExtentsThanOneCallReportsCallsAgain() throws Exception {
        // 4 KiB allocated, 4 KiB of hole, again and again: allocated (unwritten) extents cost no
        // data writes, so thousands of them take a moment.
        int n = SpaceSyscalls.EXTENTS_PER_CALL + 321;
        AioFile f = await(aio, aio.open(path("fragmented"), O_RDWR | O_CREAT, 0644, null));
        await(aio, aio.truncate(f, 8L * KIB * n, null));
        List<AioRequest<Void>> allocations = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            allocations.add(aio.allocate(f, FALLOC_FL_KEEP_SIZE, 8L * KIB * i, 4 * KIB, null));
        }
        for (AioRequest<Void> allocation : allocations) {
            await(aio, allocation);
        }
        List<Extent> extents = fiemapHere(f, 0, Long.MAX_VALUE);
        List<List<Long>> got = ranges(extents);
        assertEquals(n, got.size());
        for (int i = 0; i < n; i++) {
            assertEquals(List.of(8L * KIB * i, 8L * KIB * i + 4 * KIB), got.get(i), "extent " + i);
        }
        assertTrue(extents.stream().allMatch(e -> (e.flags() & Extent.FIEMAP_EXTENT_UNWRITTEN) != 0), "allocated, never written");
        assertTrue(extents.get(extents.size() - 1).isLast());
        await(aio, aio.close(f, null));
    }

    @Test
    void fiemapOnTmpfsFailsWithEopnotsupp() throws Exception {
        Path shm = Path.of("/dev/shm");
        assumeTrue(Files.isDirectory(shm) && "tmpfs".equals(Files.getFileStore(shm).type()), "no tmpfs at /dev/shm");
        Path file = Files.createTempFile(shm, "aio-fiemap-", ".bin");
        try {
            Files.write(file, new byte[100]);
            AioFile f = open(file, O_RDONLY);
            AioException e = failure(aio, aio.fiemap(f, 0, null));
            assertEquals("EOPNOTSUPP", e.errnoName());
            assertEquals("fiemap", e.call());
            assertEquals(file.toString(), e.path());
            await(aio, aio.close(f, null));
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void fiemapArgumentsAreCheckedInTheCaller() throws Exception {
        Files.write(dir.resolve("f"), new byte[10]);
        AioFile f = open(dir.resolve("f"), O_RDONLY);
        refused(aio, IllegalArgumentException.class, () -> aio.fiemap(f, 4, null)); // FIEMAP_FLAG_CACHE: not IO::AIO's
        refused(aio, IllegalArgumentException.class, () -> aio.fiemap(f, -1, 10, 0, null));
        refused(aio, IllegalArgumentException.class, () -> aio.fiemap(f, 1, Long.MAX_VALUE, 0, null));
        refused(aio, NullPointerException.class, () -> aio.fiemap(null, 0, null));
        await(aio, aio.close(f, null));
        refused(aio, IllegalStateException.class, () -> aio.fiemap(f, 0, null));
    }

    // ---------------------------------------------------------------- seek

    @Test
    void seekMovesTheFilesPositionFromItsStartItsPositionOrItsEnd() throws Exception {
        Files.write(dir.resolve("f"), new byte[100]);
        AioFile f = open(dir.resolve("f"), O_RDONLY);
        assertEquals(10L, await(aio, aio.seek(f, 10, SEEK_SET, null)));
        assertEquals(7L, await(aio, aio.seek(f, -3, SEEK_CUR, null)));
        assertEquals(99L, await(aio, aio.seek(f, -1, SEEK_END, null)));
        assertEquals(1L << 40, await(aio, aio.seek(f, 1L << 40, SEEK_SET, null)), "past the end is allowed");
        AioException negative = failure(aio, aio.seek(f, -200, SEEK_END, null));
        assertEquals("EINVAL", negative.errnoName());
        assertEquals("lseek", negative.call());
        await(aio, aio.close(f, null));
    }

    @Test
    void seekDataAndHoleFindTheDataOfASparseFile() throws Exception {
        AioFile f = open(sparse("sparse", 4L * MIB, new long[] {MIB, MIB + 4 * KIB}), O_RDONLY);
        assertEquals((long) MIB, await(aio, aio.seek(f, 0, SEEK_DATA, null)));
        assertEquals(MIB + 4L * KIB, await(aio, aio.seek(f, MIB, SEEK_HOLE, null)));
        assertEquals(0L, await(aio, aio.seek(f, 0, SEEK_HOLE, null)), "the file starts with a hole");
        assertEquals("ENXIO", failure(aio, aio.seek(f, 2 * MIB, SEEK_DATA, null)).errnoName(), "no data after 2 MiB");
        assertEquals(2L * MIB, await(aio, aio.seek(f, 2 * MIB, SEEK_HOLE, null)), "inside a hole: where it is");
        await(aio, aio.close(f, null));
        AioFile dataToTheEnd = open(sparse("tail", MIB + 4 * KIB, new long[] {MIB, MIB + 4 * KIB}), O_RDONLY);
        assertEquals(MIB + 4L * KIB, await(aio, aio.seek(dataToTheEnd, MIB, SEEK_HOLE, null)), "the end counts as a hole");
        await(aio, aio.close(dataToTheEnd, null));
    }

    @Test
    void seekOnAFifoFailsWithEspipeAndBadArgumentsAreRefused() throws Exception {
        await(aio, aio.mknod(path("fifo"), S_IFIFO | 0600, 0, null));
        AioFile fifo = await(aio, aio.open(path("fifo"), O_RDWR, 0, null));
        assertEquals("ESPIPE", failure(aio, aio.seek(fifo, 0, SEEK_SET, null)).errnoName());
        refused(aio, IllegalArgumentException.class, () -> aio.seek(fifo, 0, 5, null));
        refused(aio, IllegalArgumentException.class, () -> aio.seek(fifo, 0, -1, null));
        refused(aio, IllegalArgumentException.class, () -> aio.seek(fifo, -1, SEEK_SET, null));
        refused(aio, IllegalArgumentException.class, () -> aio.seek(fifo, -1, SEEK_DATA, null));
        await(aio, aio.close(fifo, null));
        refused(aio, IllegalStateException.class, () -> aio.seek(fifo, 0, SEEK_SET, null));
    }
}
