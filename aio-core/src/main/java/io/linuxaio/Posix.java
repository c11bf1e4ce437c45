package io.linuxaio;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;

/**
 * The whole native edge of the engine: libc functions bound by JNA direct mapping.
 *
 * <p>Nothing outside this package calls these, and nothing here checks its arguments: every
 * address and length passed in must already have been bounds-checked in Java by the caller, since
 * a wrong one is memory corruption in the JVM rather than an exception. Paths are NUL-terminated
 * byte arrays made by {@link NativePath}. System call wrappers throw {@link LastErrorException}
 * carrying the errno of the call itself.
 */
final class Posix {
    static {
        Native.register(Posix.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    private Posix() {}

    static final int AT_FDCWD = -100;
    static final int AT_SYMLINK_NOFOLLOW = 0x100;
    static final int AT_EMPTY_PATH = 0x1000;
    static final int STATX_BASIC_STATS = 0x7ff;
    static final int STATX_SIZE_BYTES = 256;

    /** glibc (2.36 here) has no wrapper for openat2(2), so it is called through syscall(2). */
    static final long SYS_OPENAT2 = Arch.host().sysOpenat2;
    /** {@code struct open_how}: u64 flags, u64 mode, u64 resolve. */
    static final int OPEN_HOW_BYTES = 24;

    static final int EFD_CLOEXEC = 02000000;
    static final int EFD_NONBLOCK = 04000;

    static final short POLLIN = 1;

    static native int open(byte[] path, int flags, int mode) throws LastErrorException;

    /** The system's words for an errno; for a number it does not know, "Unknown error N". */
    static native String strerror(int errno);

    /**
     * A failed call's errno as the wrappers above report it, made in Java and without a stack
     * trace: for the calls of {@link Quiet}, whose failures are everyday answers.
     */
    static LastErrorException failure(int errno) {
        return new QuietFailure(errno);
    }

    private static final class QuietFailure extends LastErrorException {
        private static final long serialVersionUID = 1L;

        QuietFailure(int errno) {
            super(errno);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this; // nobody reads it: the errno is all that is passed on
        }
    }

    /**
     * The calls made on a submitting thread to try a request there first (see {@link Inline}),
     * bound to return -1 and leave errno for {@link Native#getLastError()} rather than throw. There
     * a failure is an everyday answer (a probe for a file that is not there, a read that would
     * wait), and JNA's exception (a JNI throw of a formatted message, which JNA then parses, and a
     * stack trace) costs several times the system call.
     */
    static final class Quiet {
        static {
            Native.register(Quiet.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
        }

        private Quiet() {}

        /** As {@link Posix#syscall(long, long, byte[], long, long)}: openat2. */
        static native long syscall(long number, long dirfd, byte[] path, long how, long size);

        /** As above, with the path at an address ({@link Scratch#path}). */
        static native long syscall(long number, long dirfd, long path, long how, long size);

        /** syscall(2) with six arguments: io_uring_setup and io_uring_enter (see {@link BatchRing}). */
        static native long syscall(long number, long a, long b, long c, long d, long e, long f);

        /** As {@link Posix#preadv2}. */
        static native long preadv2(int fd, long iov, int iovcnt, long offset, int flags);

        /** mmap(2): the address, or -1 (MAP_FAILED). */
        static native long mmap(long address, long length, int prot, int flags, int fd, long offset);

        static native int munmap(long address, long length);

        /** mincore(2): a byte for each page of the range at {@code vector}, bit 0 set if it is in and read. */
        static native int mincore(long address, long length, long vector);

        /** As {@link Posix#sendfile}: EAGAIN (a full socket) is an everyday answer. */
        static native long sendfile(int outFd, int inFd, long offset, long count);

        /** capget(2): the capability sets of the thread the header names (0: the calling one). */
        static native int capget(long header, long data);
    }

    static final int PROT_READ = 1;
    static final int MAP_SHARED = 1;

    /**
     * {@code syscall(SYS_openat2, dirfd, path, how, size)}. Every argument is passed as a long,
     * since syscall(2) reads each as a full register whatever the C type. {@code how} points to
     * {@code size} bytes of {@code struct open_how}.
     */
    static native long syscall(long number, long dirfd, byte[] path, long how, long size) throws LastErrorException;

    static native int openat(int dirfd, byte[] path, int flags, int mode) throws LastErrorException;

    static native int close(int fd) throws LastErrorException;

    static native long pread(int fd, long buf, long count, long offset) throws LastErrorException;

    static native long pwrite(int fd, long buf, long count, long offset) throws LastErrorException;

    // For trying a request on the submitting thread first (see Inline).

    /** preadv2(2) flag: fail with EAGAIN rather than wait for the disk (Linux 4.14). */
    static final int RWF_NOWAIT = 0x08;
    static final int F_SETFL = 4;
    /** {@code struct iovec}: void *base, size_t len. */
    static final int IOVEC_BYTES = 16;
    /** {@code struct statfs} on 64-bit Linux begins with {@code long f_type}; 120 bytes in all. */
    static final int STATFS_BYTES = 120;
    static final int POSIX_FADV_DONTNEED = 4;

    /** {@code iov} points to {@code iovcnt} {@code struct iovec}s. */
    static native long preadv2(int fd, long iov, int iovcnt, long offset, int flags) throws LastErrorException;

    /** {@code buf} points to {@link #STATFS_BYTES} bytes. */
    static native int fstatfs(int fd, long buf) throws LastErrorException;

    static native int statfs(byte[] path, long buf) throws LastErrorException;

    /** fcntl(2) with an int argument (F_SETFL); variadic in C, passed in a register on x86-64 and aarch64 alike. */
    static native int fcntl(int fd, int cmd, int arg) throws LastErrorException;

    /** Returns the error number, not -1 with errno, as posix_fadvise(3) does. */
    static native int posix_fadvise(int fd, long offset, long len, int advice);

    static native int statx(int dirfd, byte[] path, int flags, int mask, long buf) throws LastErrorException;

    /** As above, with the path at an address ({@link Scratch#path}). */
    static native int statx(int dirfd, long path, int flags, int mask, long buf) throws LastErrorException;

    static native int unlink(byte[] path) throws LastErrorException;

    static native int mkdir(byte[] path, int mode) throws LastErrorException;

    static native int rmdir(byte[] path) throws LastErrorException;

    static native int rename(byte[] from, byte[] to) throws LastErrorException;

    static native int fsync(int fd) throws LastErrorException;

    static native int fdatasync(int fd) throws LastErrorException;

    static native long readahead(int fd, long offset, long count) throws LastErrorException;

    // JNA's LastErrorException fires whenever errno is non-zero after a call, and these library
    // functions may leave errno set while succeeding; they are checked by their return value.

    /** {@code resolved} must hold PATH_MAX (4096) bytes; returns 0 on failure. */
    static native long realpath(byte[] path, long resolved);

    static native int eventfd(int initval, int flags) throws LastErrorException;

    static native int eventfd_write(int fd, long value) throws LastErrorException;

    static native int eventfd_read(int fd, long[] value) throws LastErrorException;

    /** {@code struct pollfd} is 8 bytes: int fd, short events, short revents. */
    static native int poll(long fds, long nfds, int timeoutMillis) throws LastErrorException;

    // ------------------------------------------------------------ IO::AIO's further requests
    // Every symbol here is in glibc 2.28 (the oldest this engine runs on: it needs statx), so
    // registration cannot fail on an older system; mknodat, a glibc function only from 2.33 on,
    // goes through syscall(2) for that reason.

    /**
     * {@code __NR_mknodat}: 259 in x86_64's {@code asm/unistd_64.h}, 33 in
     * {@code asm-generic/unistd.h} (aarch64, riscv64, loongarch64). Architecture-dependent; -1
     * where we do not know it, and the request then fails with ENOSYS.
     */
    static final long SYS_MKNODAT = switch (Platform.ARCH) {
        case "x86-64" -> 259;
        case "aarch64", "riscv64", "loongarch64" -> 33;
        default -> -1;
    };
    static final int AT_SYMLINK_FOLLOW = 0x400;
    static final int AT_REMOVEDIR = 0x200;
    static final int STATX_SIZE = 0x200;

    static native int unlinkat(int dirfd, byte[] path, int flags) throws LastErrorException;

    /** glibc wraps getdents64(2) only since 2.30, so it goes through syscall(2). */
    static final long SYS_GETDENTS64 = Arch.host().sysGetdents64;

    /** {@code syscall(number, a, b, c)} with three arguments that are numbers or addresses (getdents64). */
    static native long syscall(long number, long a, long b, long c) throws LastErrorException;

    /** {@code offset} points to an off_t: where to read {@code inFd}, advanced by the kernel past what it sent. */
    static native long sendfile(int outFd, int inFd, long offset, long count) throws LastErrorException;

    static native long write(int fd, long buf, long count) throws LastErrorException;

    static native long lseek(int fd, long offset, int whence) throws LastErrorException;

    /** Writes at most {@code size} bytes at {@code buf}, with no terminating NUL; returns how many. */
    static native long readlinkat(int dirfd, byte[] path, long buf, long size) throws LastErrorException;

    static native int symlinkat(byte[] target, int newDirfd, byte[] linkPath) throws LastErrorException;

    static native int linkat(int oldDirfd, byte[] oldPath, int newDirfd, byte[] newPath, int flags) throws LastErrorException;

    static native int renameat2(int oldDirfd, byte[] oldPath, int newDirfd, byte[] newPath, int flags) throws LastErrorException;

    static native int truncate(byte[] path, long length) throws LastErrorException;

    static native int ftruncate(int fd, long length) throws LastErrorException;

    static native int fallocate(int fd, int mode, long offset, long length) throws LastErrorException;

    static native int fchmodat(int dirfd, byte[] path, int mode, int flags) throws LastErrorException;

    static native int fchmod(int fd, int mode) throws LastErrorException;

    static native int fchownat(int dirfd, byte[] path, int uid, int gid, int flags) throws LastErrorException;

    static native int fchown(int fd, int uid, int gid) throws LastErrorException;

    /** {@code times} points to two {@code struct timespec} (16 bytes each on 64-bit Linux). */
    static native int utimensat(int dirfd, byte[] path, long times, int flags) throws LastErrorException;

    static native int futimens(int fd, long times) throws LastErrorException;

    // glibc builds these two from statfs and may, depending on its version and the kernel, look
    // at /proc/mounts on the way, leaving errno set while succeeding: checked by their result.

    /** {@code buf} holds a {@code struct statvfs} (112 bytes on 64-bit Linux); -1 on failure. */
    static native int statvfs(byte[] path, long buf);

    static native int fstatvfs(int fd, long buf);

    static native void sync();

    static native int syncfs(int fd) throws LastErrorException;

    static native int sync_file_range(int fd, long offset, long nbytes, int flags) throws LastErrorException;

    static native int msync(long address, long length, int flags) throws LastErrorException;

    static native int mlock(long address, long length) throws LastErrorException;

    static native int munlock(long address, long length) throws LastErrorException;

    static native int mlockall(int flags) throws LastErrorException;

    static native int munlockall() throws LastErrorException;

    static native int getpagesize();

    /** The three-argument form of the variadic ioctl(2), its argument a pointer. */
    static native int ioctl(int fd, long request, long argument) throws LastErrorException;
}
