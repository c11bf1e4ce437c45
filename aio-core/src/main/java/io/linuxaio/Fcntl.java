package io.linuxaio;

/**
 * Open flags and mode bits for {@link AioContext#open}, under the names Perl's {@code Fcntl} gives
 * them, with the Linux values of the CPU the JVM runs on. Combine flags with {@code |}; write modes
 * as octal ({@code 0644}). {@code O_CLOEXEC} is always added by the engine.
 *
 * <p>{@code O_DIRECT}, {@code O_LARGEFILE}, {@code O_DIRECTORY} and {@code O_NOFOLLOW} differ
 * between CPUs (aarch64 swaps them around), so they are read from the running CPU's table when
 * this class is loaded and are not compile-time constants. The others are the same on every
 * supported CPU (x86_64 and aarch64). On any other CPU the first use of one of those four throws
 * {@link ExceptionInInitializerError}, caused by the {@link UnsupportedOperationException} that
 * {@code new LinuxAio()} throws there: a wrong flag would open the wrong thing.
 */
public final class Fcntl {
    private static final Arch ARCH = Arch.host();

    private Fcntl() {}

    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 01;
    public static final int O_RDWR = 02;
    public static final int O_ACCMODE = 03;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_NOCTTY = 0400;
    public static final int O_TRUNC = 01000;
    public static final int O_APPEND = 02000;
    public static final int O_NONBLOCK = 04000;
    public static final int O_DSYNC = 010000;
    public static final int O_DIRECT = ARCH.oDirect;
    public static final int O_LARGEFILE = ARCH.oLargefile;
    public static final int O_DIRECTORY = ARCH.oDirectory;
    public static final int O_NOFOLLOW = ARCH.oNofollow;
    public static final int O_NOATIME = 01000000;
    public static final int O_CLOEXEC = 02000000;
    public static final int O_SYNC = 04010000;
    public static final int O_PATH = 010000000;

    public static final int S_IRWXU = 0700, S_IRUSR = 0400, S_IWUSR = 0200, S_IXUSR = 0100;
    public static final int S_IRWXG = 070, S_IRGRP = 040, S_IWGRP = 020, S_IXGRP = 010;
    public static final int S_IRWXO = 07, S_IROTH = 04, S_IWOTH = 02, S_IXOTH = 01;

    // File types of st_mode, for mknod and for reading Stat.mode(): <sys/stat.h>, the same on
    // every Linux architecture.
    public static final int S_IFMT = 0170000;
    public static final int S_IFSOCK = 0140000, S_IFLNK = 0120000, S_IFREG = 0100000, S_IFBLK = 060000;
    public static final int S_IFDIR = 040000, S_IFCHR = 020000, S_IFIFO = 010000;
    public static final int S_ISUID = 04000, S_ISGID = 02000, S_ISVTX = 01000;

    // whence for AioContext.seek: <unistd.h>, the same everywhere; SEEK_DATA and SEEK_HOLE are
    // Linux's (3.1), as IO::AIO exports them.
    public static final int SEEK_SET = 0, SEEK_CUR = 1, SEEK_END = 2, SEEK_DATA = 3, SEEK_HOLE = 4;
}
