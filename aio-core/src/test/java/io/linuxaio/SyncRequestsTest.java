package io.linuxaio;

import static io.linuxaio.AioContext.*;
import static io.linuxaio.Fcntl.*;
import static io.linuxaio.Polling.await;
import static io.linuxaio.Polling.failure;
import static io.linuxaio.Refused.refused;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/** sync, syncfs, sync_file_range, msync, mlock and mlockall. */
class SyncRequestsTest extends EngineTestBase {
    /** The process's locked memory is one thing: tests that lock or unlock it must not overlap. */
    private static final String LOCKED_MEMORY = "the process's locked memory";

    /** A file of {@code size} bytes mapped read-write. */
    private MappedByteBuffer map(String name, int size) throws Exception {
        try (FileChannel channel = FileChannel.open(dir.resolve(name), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            return channel.map(FileChannel.MapMode.READ_WRITE, 0, size); // stays mapped after the channel closes
        }
    }

    // ---------------------------------------------------------------- sync, syncfs, sync_file_range

    @Test
    void syncAndSyncfsComplete() throws Exception {
        assertNull(await(aio, aio.sync(null)));
        Files.writeString(dir.resolve("f"), "x");
        AioFile file = await(aio, aio.open(path("f"), O_RDONLY, 0, null));
        assertNull(await(aio, aio.syncfs(file, null)));
        await(aio, aio.close(file, null));
        refused(aio, IllegalStateException.class, () -> aio.syncfs(file, null));
        refused(aio, NullPointerException.class, () -> aio.syncfs(null, null));
    }

    @Test
    void pathsyncSyncsAFileOrADirectoryByItsPath() throws Exception {
        Files.writeString(dir.resolve("f"), "x");
        assertNull(await(aio, aio.pathsync(path("f"), null)));
        assertNull(await(aio, aio.pathsync(dir.toString(), null)), "a directory, after a change in it");
        AioException missing = failure(aio, aio.pathsync(path("missing"), null));
        assertEquals("ENOENT", missing.errnoName());
        assertEquals("pathsync", missing.call());
        assertEquals(path("missing"), missing.path());
        await(aio, aio.mknod(path("fifo"), S_IFIFO | 0600, 0, null));
        assertEquals("EINVAL", failure(aio, aio.pathsync(path("fifo"), null)).errnoName(),
                "a FIFO with no writer fails at the fsync rather than holding the worker in open");
        Files.writeString(dir.resolve("unreadable"), "x");
        await(aio, aio.chmod(path("unreadable"), 0, null));
        AioRequest<Void> unreadable = aio.pathsync(path("unreadable"), null);
        if (Capabilities.has(Capabilities.CAP_DAC_OVERRIDE)) { // it opens it all the same
            await(aio, unreadable);
        } else {
            assertEquals("EACCES", failure(aio, unreadable).errnoName());
        }
    }

    @Test
    void syncFileRangeWritesARangeAndFailsOnAPipe() throws Exception {
        AioFile file = await(aio, aio.open(path("f"), O_RDWR | O_CREAT, 0644, null));
        await(aio, aio.write(file, 0, 8192, new byte[8192], 0, null));
        await(aio, aio.syncFileRange(file, 0, 4096, SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE
                | SYNC_FILE_RANGE_WAIT_AFTER, null));
        await(aio, aio.syncFileRange(file, 4096, 0, SYNC_FILE_RANGE_WRITE, null)); // 0: to the end
        refused(aio, IllegalArgumentException.class, () -> aio.syncFileRange(file, 0, 0, 8, null));
        refused(aio, IllegalArgumentException.class, () -> aio.syncFileRange(file, -1, 0, 0, null));
        refused(aio, IllegalArgumentException.class, () -> aio.syncFileRange(file, 0, -1, 0, null));
        await(aio, aio.close(file, null));

        await(aio, aio.mknod(path("fifo"), S_IFIFO | 0600, 0, null));
        AioFile fifo = await(aio, aio.open(path("fifo"), O_RDWR, 0, null));
        AioException e = failure(aio, aio.syncFileRange(fifo, 0, 0, SYNC_FILE_RANGE_WRITE, null));
        assertEquals("ESPIPE", e.errnoName());
        assertEquals("sync_file_range", e.call());
        assertEquals(path("fifo"), e.path());
        await(aio, aio.close(fifo, null));
    }

    // ---------------------------------------------------------------- msync

    @Test
    void msyncOfAnUnalignedRangeOfAMappedFileWritesItBack() throws Exception {
        MappedByteBuffer mapped = map("mapped", 3 * 4096 + 100);
        byte[] text = "written through the mapping".getBytes(StandardCharsets.US_ASCII);
        mapped.put(5000, text);
        // 5000 is no page boundary: the kernel takes whole pages only, so the range is widened.
        assertNull(await(aio, aio.msync(mapped, 5000, text.length, MS_SYNC, null)));
        await(aio, aio.msync(mapped, 0, mapped.capacity(), MS_ASYNC | MS_INVALIDATE, null));
        await(aio, aio.msync(mapped, mapped.capacity(), 0, MS_SYNC, null)); // empty, at the very end
        byte[] onDisk = Files.readAllBytes(dir.resolve("mapped"));
        assertEquals("written through the mapping", new String(onDisk, 5000, text.length, StandardCharsets.US_ASCII));
        assertNull(await(aio, aio.msync(ByteBuffer.allocateDirect(100), 3, 50, MS_SYNC, null)), "anonymous memory: nothing to do");
    }

    @Test
    void msyncArgumentsAreCheckedInTheCaller() throws Exception {
        MappedByteBuffer mapped = map("mapped", 8192);
        refused(aio, IllegalArgumentException.class, () -> aio.msync(ByteBuffer.allocate(4096), 0, 10, MS_SYNC, null));
        refused(aio, IndexOutOfBoundsException.class, () -> aio.msync(mapped, 8000, 193, MS_SYNC, null));
        refused(aio, IndexOutOfBoundsException.class, () -> aio.msync(mapped, -1, 10, MS_SYNC, null));
        refused(aio, IndexOutOfBoundsException.class, () -> aio.msync(mapped, 0, -1, MS_SYNC, null));
        refused(aio, IllegalArgumentException.class, () -> aio.msync(mapped, 0, 10, MS_SYNC | MS_ASYNC, null));
        refused(aio, IllegalArgumentException.class, () -> aio.msync(mapped, 0, 10, 8, null));
        refused(aio, NullPointerException.class, () -> aio.msync(null, 0, 10, MS_SYNC, null));
    }

    // ---------------------------------------------------------------- mlock, mlockall

    @Test
    @ResourceLock(LOCKED_MEMORY)
    @Tag(HostKernelViews.TAG) // it reads the locked pages from /proc/self/smaps, which qemu-user does not emulate
    void mlockLocksTheRangesPagesAndMunlockLetsThemGo() throws Exception {
        int page = (int) MemorySyscalls.PAGE_SIZE;
        MappedByteBuffer mapped = map("mapped", 16 * page);
        long address = Syscalls.address(mapped);
        assertEquals(0, lockedKib(address, 16 * page), "nothing locked yet");
        AioRequest<Void> mlock = aio.mlock(mapped, page + 1, 2 * page, null);
        long limit = memlockLimitKib();
        if (!Capabilities.has(Capabilities.CAP_IPC_LOCK) && limit < 3 * page / 1024) {
            assertEquals(limit == 0 ? "EPERM" : "ENOMEM", failure(aio, mlock).errnoName());
            return;
        }
        try {
            await(aio, mlock);
            assertEquals(3 * page / 1024, lockedKib(address, 16 * page), "three pages: the range, widened to whole pages");
            // Locked pages cannot be invalidated: the kernel's own error reaches the callback.
            AioException busy = failure(aio, aio.msync(mapped, page, page, MS_SYNC | MS_INVALIDATE, null));
            assertEquals("EBUSY", busy.errnoName());
            assertEquals("msync", busy.call());
        } finally {
            AioContext.munlock(mapped, page + 1, 2 * page);
        }
        assertEquals(0, lockedKib(address, 16 * page));
        refused(aio, IllegalArgumentException.class, () -> aio.mlock(ByteBuffer.allocate(10), 0, 10, null));
        refused(aio, IndexOutOfBoundsException.class, () -> aio.mlock(mapped, 1, 16 * page, null));
        assertThrows(IndexOutOfBoundsException.class, () -> AioContext.munlock(mapped, 0, 16 * page + 1));
    }

    @Test
    @ResourceLock(LOCKED_MEMORY)
    void mlockallLocksTheProcessAndMunlockallUnlocksIt() throws Exception {
        assertEquals(0, statusKib("VmLck"), "nothing locked before");
        AioRequest<Void> mlockall = aio.mlockall(MCL_CURRENT | MCL_ONFAULT, null); // ONFAULT: reads nothing in
        if (!Capabilities.has(Capabilities.CAP_IPC_LOCK)) {
            String errno = failure(aio, mlockall).errnoName();
            assertTrue(errno.equals("ENOMEM") || errno.equals("EPERM"), errno);
            return;
        }
        try {
            await(aio, mlockall);
            assertTrue(statusKib("VmLck") > 0, "locked");
        } finally {
            AioContext.munlockall();
        }
        assertEquals(0, statusKib("VmLck"));
        refused(aio, IllegalArgumentException.class, () -> aio.mlockall(0, null));
        refused(aio, IllegalArgumentException.class, () -> aio.mlockall(MCL_ONFAULT, null));
        refused(aio, IllegalArgumentException.class, () -> aio.mlockall(MCL_CURRENT | 8, null));
    }

    /**
     * The Locked: figures of the mappings within {@code [address, address + length)}, from
     * /proc/self/smaps, summed: locking part of a mapping splits it in the kernel's books.
     */
    private static long lockedKib(long address, long length) throws Exception {
        long total = 0;
        boolean inside = false;
        for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
            int dash = line.indexOf('-');
            int space = line.indexOf(' ');
            if (dash > 0 && space > dash && line.substring(0, dash).matches("[0-9a-f]+")) {
                long start = Long.parseUnsignedLong(line.substring(0, dash), 16);
                long end = Long.parseUnsignedLong(line.substring(dash + 1, space), 16);
                inside = Long.compareUnsigned(start, address + length) < 0 && Long.compareUnsigned(address, end) < 0;
            } else if (inside && line.startsWith("Locked:")) {
                total += Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return total;
    }

    /** A kB figure of /proc/self/status, such as VmLck. */
    private static long statusKib(String field) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new AssertionError("no " + field + " in /proc/self/status");
    }

    /** RLIMIT_MEMLOCK's soft limit in KiB, from /proc/self/limits. */
    private static long memlockLimitKib() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max locked memory")) {
                String soft = line.substring("Max locked memory".length()).trim().split("\\s+")[0];
                return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft) / 1024;
            }
        }
        throw new AssertionError("no Max locked memory in /proc/self/limits");
    }
}
