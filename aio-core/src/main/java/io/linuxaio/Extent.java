package io.linuxaio;

/**
 * One extent of a file, as {@link AioContext#fiemap} reports it: IO::AIO's
 * {@code [$logical, $physical, $length, $flags]}, from the {@code FS_IOC_FIEMAP} ioctl. A hole is
 * where no extent is.
 *
 * @param logical  where the extent starts in the file, in bytes
 * @param physical where it starts on the device, in bytes (0 where {@link #FIEMAP_EXTENT_UNKNOWN})
 * @param length   its length in bytes
 * @param flags    {@code FIEMAP_EXTENT_*} bits
 */
public record Extent(long logical, long physical, long length, int flags) {
    // The fe_flags bits of <linux/fiemap.h>, the same on every architecture.
    /** The last extent of the file. */
    public static final int FIEMAP_EXTENT_LAST = 0x1;
    /** The data's location is not known yet. */
    public static final int FIEMAP_EXTENT_UNKNOWN = 0x2;
    /** Delayed allocation: the location is not decided yet (implies UNKNOWN). */
    public static final int FIEMAP_EXTENT_DELALLOC = 0x4;
    /** The data is encoded (compressed, ...); implies NOT_ALIGNED. */
    public static final int FIEMAP_EXTENT_ENCODED = 0x8;
    /** The data is encrypted; implies ENCODED. */
    public static final int FIEMAP_EXTENT_DATA_ENCRYPTED = 0x80;
    /** The extent's offsets may not be block-aligned. */
    public static final int FIEMAP_EXTENT_NOT_ALIGNED = 0x100;
    /** The data lies inside a metadata block; implies NOT_ALIGNED. */
    public static final int FIEMAP_EXTENT_DATA_INLINE = 0x200;
    /** The data is packed into a block with others' tails; implies NOT_ALIGNED. */
    public static final int FIEMAP_EXTENT_DATA_TAIL = 0x400;
    /** Space allocated but not written: reads as zeros. */
    public static final int FIEMAP_EXTENT_UNWRITTEN = 0x800;
    /** Made of several on-disk extents merged for this report (the file system has no extents). */
    public static final int FIEMAP_EXTENT_MERGED = 0x1000;
    /** Shared with another file (reflinks, snapshots). */
    public static final int FIEMAP_EXTENT_SHARED = 0x2000;

    /** Whether this is the file's last extent. */
    public boolean isLast() {
        return (flags & FIEMAP_EXTENT_LAST) != 0;
    }

    /** The offset just past the extent. */
    public long end() {
        return logical + length;
    }
}
