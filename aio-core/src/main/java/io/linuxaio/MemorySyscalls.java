package io.linuxaio;

import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The requests on memory rather than files, msync and mlock: a range of a direct buffer, checked
 * in the caller and widened to whole pages, as libeio does, since the kernel takes page-aligned
 * ranges only. Widening stays within memory that is mapped (a page holding one byte of the buffer
 * is mapped whole), and neither call writes to the memory.
 */
final class MemorySyscalls {
    /** The kernel's page size (4 KiB on x86_64; 4, 16 or 64 KiB on aarch64). */
    static final long PAGE_SIZE = Posix.getpagesize();

    private MemorySyscalls() {}

    /**
     * The pages holding {@code buffer[offset, offset + length)}: {start address, length}.
     *
     * @throws IllegalArgumentException if the buffer is not direct: a heap array moves with the
     *     garbage collector, so it has no address to lock or sync
     * @throws IndexOutOfBoundsException if the range leaves the buffer's capacity
     */
    static long[] pages(ByteBuffer buffer, int offset, int length) {
        Objects.requireNonNull(buffer, "buffer");
        if (!buffer.isDirect()) {
            throw new IllegalArgumentException("not a direct buffer (a MappedByteBuffer or ByteBuffer.allocateDirect): " + buffer);
        }
        Objects.checkFromIndexSize(offset, length, buffer.capacity());
        long start = Syscalls.address(buffer) + offset;
        long aligned = start & -PAGE_SIZE;
        return new long[] {aligned, start + length - aligned};
    }

    static void msync(ByteBuffer buffer, long[] pages, int flags) {
        try {
            Posix.msync(pages[0], pages[1], flags);
        } finally {
            Reference.reachabilityFence(buffer); // an unmapped range would only give ENOMEM, but say what is meant
        }
    }

    static void mlock(ByteBuffer buffer, long[] pages) {
        try {
            Posix.mlock(pages[0], pages[1]);
        } finally {
            Reference.reachabilityFence(buffer);
        }
    }

    static void munlock(ByteBuffer buffer, long[] pages) {
        try {
            Posix.munlock(pages[0], pages[1]);
        } finally {
            Reference.reachabilityFence(buffer);
        }
    }
}
