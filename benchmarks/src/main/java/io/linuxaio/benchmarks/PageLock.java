package io.linuxaio.benchmarks;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Keeps a file's pages in the page cache for as long as it is open, as {@code vmtouch -l} does: maps
 * the file and mlock(2)s the mapping.
 *
 * <p>Reading a file once is not enough to keep it cached here: a reclaimer may page out memory that
 * has not been touched for a while (this machine runs DAMON with a pageout scheme), and 4 KiB reads
 * at random over 1 GiB leave each page untouched for seconds at a time. One page fetched from disk
 * costs as much as thousands of cached reads, so without the lock the read benchmark would measure
 * the disk.
 */
final class PageLock implements AutoCloseable {
    static {
        Native.register(PageLock.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    private static native int mlock(long address, long length) throws LastErrorException;

    private static native int munlock(long address, long length) throws LastErrorException;

    private final MappedByteBuffer mapping;
    private final long address;
    private final long length;

    private PageLock(MappedByteBuffer mapping, long length) {
        this.mapping = mapping;
        this.address = Pointer.nativeValue(Native.getDirectBufferPointer(mapping));
        this.length = length;
    }

    /** Locks every page of {@code file} (at most 2 GiB) into memory, reading in those not cached yet. */
    static PageLock lock(Path file) throws IOException {
        MappedByteBuffer mapping;
        long length;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            length = channel.size();
            // The mapping outlives the channel; it lasts until the buffer is collected.
            mapping = channel.map(FileChannel.MapMode.READ_ONLY, 0, length);
        }
        PageLock lock = new PageLock(mapping, length);
        try {
            mlock(lock.address, length);
        } catch (LastErrorException e) {
            throw new IOException("mlock of " + file + " (" + (length >> 20) + " MiB) failed with errno "
                    + e.getErrorCode() + "; raise the memlock limit (ulimit -l) or run with CAP_IPC_LOCK", e);
        }
        return lock;
    }

    @Override
    public void close() {
        munlock(address, length);
        java.lang.ref.Reference.reachabilityFence(mapping);
    }
}
