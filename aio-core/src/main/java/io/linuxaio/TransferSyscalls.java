package io.linuxaio;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The blocking work of the requests that move a file's bytes as a whole: sendfile (with
 * IO::AIO's read-and-write emulation where the kernel refuses it) and slurp. Runs on a worker.
 */
final class TransferSyscalls {
    /**
     * The largest slurp: one below the longest array a JVM reliably allocates
     * ({@code Integer.MAX_VALUE - 8}), since a whole-file slurp reads one byte more to see that
     * the file holds no more than its bound.
     */
    static final int MAX_ARRAY = Integer.MAX_VALUE - 9;

    private static final byte[] EMPTY_PATH = {0};
    private static final int STATX_TYPE = 0x1;

    private TransferSyscalls() {}

    /**
     * sendfile(2) from {@code in} at {@code offset} to {@code out} at its own file position, again
     * and again until {@code length} bytes went, the input ended or an error came: one call moves
     * at most 0x7ffff000 bytes. An error after some bytes went out ends the transfer short, as
     * IO::AIO does; the next call meets it again. If the kernel refuses the pair of files before
     * anything went (an output opened with O_APPEND, an input sendfile cannot read), the bytes are
     * copied through the worker's memory instead, as IO::AIO emulates it.
     */
    static long sendfile(Scratch scratch, AioFile out, AioFile in, long offset, long length) {
        ByteBuffer position = scratch.fields();
        long address = scratch.struct();
        long total = 0;
        while (total < length) {
            position.putLong(0, offset + total);
            long sent;
            try {
                sent = Posix.sendfile(out.fd(), in.fd(), address, length - total);
            } catch (LastErrorException e) {
                if (total == 0 && emulated(e.getErrorCode())) {
                    return copy(scratch, out, in, offset, length);
                }
                if (total > 0) {
                    break;
                }
                throw e;
            }
            if (sent == 0) {
                break; // the input ended
            }
            total += sent;
        }
        return total;
    }

    /** The errors on which IO::AIO's sendfile falls back to reading and writing. */
    private static boolean emulated(int errno) {
        return errno == Errno.ENOSYS || errno == Errno.EINVAL || errno == Errno.EOPNOTSUPP || errno == Errno.EAFNOSUPPORT
                || errno == Errno.EPROTOTYPE || errno == Errno.ENOTSOCK;
    }

    /** pread from {@code in}, write(2) to {@code out} at its position, through the bounce buffer. */
    private static long copy(Scratch scratch, AioFile out, AioFile in, long offset, long length) {
        long address = Pointer.nativeValue(scratch.bounce());
        long total = 0;
        while (total < length) {
            long chunk = Math.min(length - total, Scratch.BOUNCE_BYTES);
            long got;
            try {
                got = Posix.pread(in.fd(), address, chunk, offset + total);
            } catch (LastErrorException e) {
                if (total > 0) {
                    return total;
                }
                throw e;
            }
            if (got == 0) {
                return total;
            }
            long put = 0;
            while (put < got) {
                try {
                    put += Posix.write(out.fd(), address + put, got - put);
                } catch (LastErrorException e) {
                    if (total + put > 0) {
                        return total + put;
                    }
                    throw e;
                }
            }
            total += got;
        }
        return total;
    }

    /** Opens {@code path} (relative to {@code dirfd}) read-only, slurps it, closes it. */
    static byte[] slurp(Scratch scratch, int dirfd, byte[] path, long offset, int limit, boolean whole) {
        int fd = Posix.openat(dirfd, path, Fcntl.O_RDONLY | Fcntl.O_CLOEXEC, 0);
        try {
            return slurp(scratch, fd, offset, limit, whole);
        } finally {
            try {
                Posix.close(fd);
            } catch (LastErrorException ignored) {
                // A descriptor only read from has nothing left to report; Linux frees it anyway.
            }
        }
    }

    /**
     * The bytes of {@code fd} from {@code offset}: at most {@code limit} of them, or, when
     * {@code whole}, all of them up to the end of the file, failing with EFBIG if there are more
     * than {@code limit}. The array is sized by the file's size and grows only for a file that
     * holds more than its size says ({@code /proc}) or grows meanwhile; never past {@code limit}
     * (one more byte for {@code whole}, to see that there is one).
     */
    static byte[] slurp(Scratch scratch, int fd, long offset, int limit, boolean whole) {
        Posix.statx(fd, EMPTY_PATH, Posix.AT_EMPTY_PATH, STATX_TYPE | Posix.STATX_SIZE, scratch.struct());
        ByteBuffer stat = scratch.fields();
        // struct statx: stx_mode (u16) at 28, stx_size (u64) at 40. Only a regular file's size
        // says how many bytes a read gives; a directory's or a device's says nothing of the kind.
        boolean regular = (stat.getShort(28) & Fcntl.S_IFMT) == Fcntl.S_IFREG;
        long remaining = regular ? Math.max(0, stat.getLong(40) - offset) : 0;
        if (whole && remaining > limit) {
            throw tooLarge(remaining, limit);
        }
        int cap = whole ? limit + 1 : limit; // limit <= MAX_ARRAY, so no overflow
        byte[] data = new byte[(int) Math.min(remaining, cap)];
        Memory bounce = scratch.bounce();
        long address = Pointer.nativeValue(bounce);
        int n = 0;
        for (;;) {
            int room = data.length - n;
            int want = Math.min(room > 0 ? room : cap - n, Scratch.BOUNCE_BYTES);
            if (want == 0) {
                break;
            }
            int got = (int) Posix.pread(fd, address, want, offset + n);
            if (got == 0) {
                break;
            }
            if (got > room) {
                data = Arrays.copyOf(data, (int) Math.min(cap, Math.max(n + (long) got, 2L * n)));
            }
            bounce.read(0, data, n, got);
            n += got;
        }
        if (whole && n > limit) {
            throw tooLarge(n, limit);
        }
        return n == data.length ? data : Arrays.copyOf(data, n);
    }

    private static LastErrorException tooLarge(long size, int limit) {
        return new LastErrorException("[" + Errno.EFBIG + "] holds more than the " + limit + " bytes allowed"
                + (size > limit + 1L ? " (" + size + ")" : ""));
    }
}
