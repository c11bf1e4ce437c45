package io.linuxaio;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The blocking work of the requests that look at where a file's bytes are and how much room is
 * left: statvfs and fiemap. Runs on a worker.
 */
final class SpaceSyscalls {
    /**
     * {@code FS_IOC_FIEMAP} of {@code <linux/fs.h>}: {@code _IOWR('f', 11, struct fiemap)}, with
     * the 32-byte {@code struct fiemap} header. Architecture-dependent in principle (the ioctl
     * encoding); x86_64 and aarch64 both use {@code asm-generic/ioctl.h}'s, so it is 0xC020660B on
     * both (powerpc, mips, sparc and alpha would differ).
     */
    static final long FS_IOC_FIEMAP = 0xC020660BL;
    /** {@code struct fiemap}: u64 fm_start, u64 fm_length, u32 fm_flags, u32 fm_mapped_extents, u32 fm_extent_count, u32 fm_reserved. */
    private static final int FIEMAP_HEADER_BYTES = 32;
    /** {@code struct fiemap_extent}: u64 fe_logical, u64 fe_physical, u64 fe_length, u64 fe_reserved64[2], u32 fe_flags, u32 fe_reserved[3]. */
    private static final int FIEMAP_EXTENT_BYTES = 56;
    /**
     * How many extents one ioctl may report (14 KiB of the worker's bounce buffer). Most files
     * have a handful; a badly fragmented one takes a call per this many, each a lookup in the
     * file system's extent tree, so a larger batch would save little.
     */
    static final int EXTENTS_PER_CALL = 256;

    private static final int FIEMAP_BYTES = FIEMAP_HEADER_BYTES + EXTENTS_PER_CALL * FIEMAP_EXTENT_BYTES;

    private SpaceSyscalls() {}

    /** statvfs(3) of a path, or fstatvfs(3) of {@code fd} when {@code path} is null. */
    static StatVfs statvfs(Scratch scratch, int fd, byte[] path) {
        int result = path == null ? Posix.fstatvfs(fd, scratch.struct()) : Posix.statvfs(path, scratch.struct());
        if (result != 0) {
            throw new LastErrorException(Native.getLastError());
        }
        // struct statvfs on 64-bit Linux (x86_64 and aarch64 alike): eleven unsigned longs, then
        // six ints of padding; 112 bytes.
        ByteBuffer buf = scratch.fields();
        return new StatVfs(buf.getLong(0), buf.getLong(8), buf.getLong(16), buf.getLong(24), buf.getLong(32),
                buf.getLong(40), buf.getLong(48), buf.getLong(56), buf.getLong(64), buf.getLong(72), buf.getLong(80));
    }

    /**
     * Every extent of {@code [start, end)}, by {@code FS_IOC_FIEMAP} ioctls of
     * {@value #EXTENTS_PER_CALL} extents each, into the worker's bounce buffer: each next call
     * starts where the last extent reported ended, until an extent says it is the file's last, a
     * call reports none, or the range is covered. That loop is IO::AIO's way around the kernel's
     * limit on one call (and around file systems that stop early).
     */
    static List<Extent> fiemap(Scratch scratch, int fd, long start, long end, int flags) {
        Memory bounce = scratch.bounce();
        ByteBuffer buf = bounce.getByteBuffer(0, FIEMAP_BYTES).order(ByteOrder.nativeOrder());
        long address = Pointer.nativeValue(bounce);
        List<Extent> extents = new ArrayList<>();
        long at = start;
        while (at < end) {
            buf.putLong(0, at);
            buf.putLong(8, end - at);
            buf.putInt(16, flags);
            buf.putInt(20, 0);
            buf.putInt(24, EXTENTS_PER_CALL);
            buf.putInt(28, 0);
            Posix.ioctl(fd, FS_IOC_FIEMAP, address);
            int mapped = buf.getInt(20);
            if (mapped <= 0) {
                break;
            }
            Extent last = null;
            for (int i = 0; i < Math.min(mapped, EXTENTS_PER_CALL); i++) {
                int base = FIEMAP_HEADER_BYTES + i * FIEMAP_EXTENT_BYTES;
                last = new Extent(buf.getLong(base), buf.getLong(base + 8), buf.getLong(base + 16), buf.getInt(base + 40));
                extents.add(last);
            }
            if (last.isLast() || last.end() <= at) {
                break; // the file's end, or a report that does not move on: stop rather than loop forever
            }
            at = last.end();
        }
        return extents;
    }
}
