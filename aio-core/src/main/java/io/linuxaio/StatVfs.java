package io.linuxaio;

/**
 * What {@link AioContext#statvfs(String, AioCallback) statvfs} knows about a mounted file system:
 * every field of {@code struct statvfs}, 64 bits wide, under the names IO::AIO's
 * {@code aio_statvfs} gives them. Counts of blocks are in units of {@link #frsize()}.
 *
 * @param bsize   the file system's preferred block size
 * @param frsize  the fragment size: the unit of {@code blocks}, {@code bfree} and {@code bavail}
 * @param blocks  the size of the file system, in {@code frsize} units
 * @param bfree   free blocks
 * @param bavail  free blocks an unprivileged user may use
 * @param files   inodes
 * @param ffree   free inodes
 * @param favail  free inodes an unprivileged user may use
 * @param fsid    the file system id
 * @param flag    mount flags: {@link #ST_RDONLY}, {@link #ST_NOSUID}, ...
 * @param namemax the longest file name, in bytes
 */
public record StatVfs(long bsize, long frsize, long blocks, long bfree, long bavail, long files, long ffree,
                      long favail, long fsid, long flag, long namemax) {
    // The ST_* mount flags of <sys/statvfs.h> (glibc's bits/statvfs.h), the same on every Linux
    // architecture.
    public static final int ST_RDONLY = 1;
    public static final int ST_NOSUID = 2;
    public static final int ST_NODEV = 4;
    public static final int ST_NOEXEC = 8;
    public static final int ST_SYNCHRONOUS = 16;
    public static final int ST_MANDLOCK = 64;
    public static final int ST_WRITE = 128;
    public static final int ST_APPEND = 256;
    public static final int ST_IMMUTABLE = 512;
    public static final int ST_NOATIME = 1024;
    public static final int ST_NODIRATIME = 2048;
    public static final int ST_RELATIME = 4096;

    /** Whether the file system is mounted read-only. */
    public boolean isReadOnly() {
        return (flag & ST_RDONLY) != 0;
    }

    /** Bytes an unprivileged user may still write: {@code bavail * frsize}. */
    public long availableBytes() {
        return bavail * frsize;
    }
}
