package io.linuxaio;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

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

    static native Pointer opendir(byte[] path);

    /** Takes over {@code fd} on success (closedir closes it); returns null on failure. */
    static native Pointer fdopendir(int fd);

    /** Returns null at the end of the directory; errno must be cleared first to tell an error from the end. */
    static native Pointer readdir64(Pointer dir);

    static native int closedir(Pointer dir);

    static native int eventfd(int initval, int flags) throws LastErrorException;

    static native int eventfd_write(int fd, long value) throws LastErrorException;

    static native int eventfd_read(int fd, long[] value) throws LastErrorException;

    /** {@code struct pollfd} is 8 bytes: int fd, short events, short revents. */
    static native int poll(long fds, long nfds, int timeoutMillis) throws LastErrorException;
}
