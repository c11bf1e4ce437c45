package io.linuxaio;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The blocking work of each request, as it runs on a worker thread. Arguments arrive checked by
 * {@link AioContext}; what is left here is turning them into system calls and results.
 */
final class Syscalls {
    private static final byte[] EMPTY_PATH = {0};

    private Syscalls() {}

    static AioFile open(Scratch scratch, byte[] path, String name, int flags, int mode) {
        return adopt(scratch, Posix.open(path, flags | Fcntl.O_CLOEXEC, mode), name, flags);
    }

    /** openat2(2) relative to {@code dir} ({@code AT_FDCWD} when null), {@code O_CLOEXEC} added. */
    static AioFile openat(Scratch scratch, AioFile dir, byte[] path, String name, int flags, int mode, int resolve) {
        return adopt(scratch, openat2(scratch, dir, path, flags, mode, resolve), name, flags);
    }

    /** openat2(2), then statx(2) of the new descriptor; closes it again if the stat fails. */
    static OpenedFile openatStat(Scratch scratch, AioFile dir, byte[] path, String name, int flags, int mode,
                                 int resolve) {
        return withStat(scratch, openat2(scratch, dir, path, flags, mode, resolve), name, flags);
    }

    /** open(2), then statx(2) of the new descriptor; closes it again if the stat fails. */
    static OpenedFile openStat(Scratch scratch, byte[] path, String name, int flags, int mode) {
        return withStat(scratch, Posix.open(path, flags | Fcntl.O_CLOEXEC, mode), name, flags);
    }

    /** A descriptor just opened and its statx(2); closes it if the stat fails. */
    private static OpenedFile withStat(Scratch scratch, int fd, String name, int flags) {
        boolean handedOver = false;
        try {
            Stat stat = statx(scratch, fd);
            AioFile file = adopt(scratch, fd, name, flags);
            file.identity = FileIdentity.of(stat);
            OpenedFile opened = new OpenedFile(file, stat);
            handedOver = true;
            return opened;
        } finally {
            if (!handedOver) {
                closeQuietly(fd);
            }
        }
    }

    /** A descriptor just opened on a worker, as an AioFile that knows whether its file system is local. */
    static AioFile adopt(Scratch scratch, int fd, String name, int flags) {
        return new AioFile(fd, name, flags, Inline.fileSystemOf(scratch, fd));
    }

    /** openat2(2) through syscall(2), {@code O_CLOEXEC} added; the new descriptor. */
    static int openat2(Scratch scratch, AioFile dir, byte[] path, int flags, int mode, int resolve) {
        return (int) Posix.syscall(Posix.SYS_OPENAT2, dirfd(dir), path, openHow(scratch, flags, mode, resolve),
                Posix.OPEN_HOW_BYTES);
    }

    /** As {@link #openat2}, for a try on the submitting thread: the new descriptor, or minus the errno. */
    static int tryOpenat2(Scratch scratch, AioFile dir, byte[] path, int flags, int mode, int resolve) {
        long how = openHow(scratch, flags, mode, resolve);
        long address = scratch.path(path);
        long fd = address != 0
                ? Posix.Quiet.syscall(Posix.SYS_OPENAT2, dirfd(dir), address, how, Posix.OPEN_HOW_BYTES)
                : Posix.Quiet.syscall(Posix.SYS_OPENAT2, dirfd(dir), path, how, Posix.OPEN_HOW_BYTES);
        return fd >= 0 ? (int) fd : -Native.getLastError();
    }

    private static long dirfd(AioFile dir) {
        return dir == null ? Posix.AT_FDCWD : dir.fd();
    }

    /** Writes struct open_how, {@code O_CLOEXEC} added, into the scratch struct block; its address. */
    private static long openHow(Scratch scratch, int flags, int mode, int resolve) {
        // The kernel has copied struct open_how in before openat2 returns, so a statx after it may
        // overwrite the bytes.
        ByteBuffer how = scratch.fields();
        how.putLong(0, Integer.toUnsignedLong(flags | Fcntl.O_CLOEXEC));
        how.putLong(8, mode);
        how.putLong(16, resolve);
        return scratch.struct();
    }

    /** Closes after a failure: the caller is told of what failed first, and a close error adds nothing. */
    static void closeQuietly(int fd) {
        try {
            Posix.close(fd);
        } catch (LastErrorException ignored) {
            // Linux releases the descriptor even when close reports an error.
        }
    }

    /** pread into a Java array through the worker's scratch memory; short only at end of file. */
    static int readArray(Scratch scratch, AioFile file, long offset, byte[] data, int at, int length) {
        Memory bounce = scratch.bounce();
        long address = Pointer.nativeValue(bounce);
        int total = 0;
        while (total < length) {
            int chunk = Math.min(length - total, Scratch.BOUNCE_BYTES);
            long n;
            try {
                n = Posix.pread(file.fd(), address, chunk, offset + total);
            } catch (LastErrorException e) {
                if (total > 0) {
                    break; // Report what arrived; the next read will meet the error again.
                }
                throw e;
            }
            bounce.read(0, data, at + total, (int) n);
            total += (int) n;
            if (n < chunk) {
                break;
            }
        }
        return total;
    }

    /** The base address of a direct buffer's memory. */
    static long address(ByteBuffer direct) {
        return Pointer.nativeValue(Native.getDirectBufferPointer(direct));
    }

    /**
     * One pread straight into a direct buffer's memory at {@code address}, which lies within
     * {@code dst}; {@code dst} is passed only to keep that memory alive through the call.
     */
    static int readDirect(AioFile file, long offset, ByteBuffer dst, long address, int length) {
        try {
            return (int) Posix.pread(file.fd(), address, length, offset);
        } finally {
            // The buffer's memory must outlive the call, or the kernel writes into freed memory.
            Reference.reachabilityFence(dst);
        }
    }

    /** pwrite from a Java array through the worker's scratch memory, until all is written or it fails. */
    static int writeArray(Scratch scratch, AioFile file, long offset, byte[] data, int at, int length) {
        Memory bounce = scratch.bounce();
        long address = Pointer.nativeValue(bounce);
        int total = 0;
        while (total < length) {
            int chunk = Math.min(length - total, Scratch.BOUNCE_BYTES);
            bounce.write(0, data, at + total, chunk);
            int written = writeFully(file, address, chunk, offset + total, total);
            total += written;
            if (written < chunk) {
                break;
            }
        }
        return total;
    }

    static int writeDirect(AioFile file, long offset, ByteBuffer src, long address, int length) {
        try {
            return writeFully(file, address, length, offset, 0);
        } finally {
            Reference.reachabilityFence(src);
        }
    }

    /**
     * pwrite until {@code length} bytes are written. An error after some bytes went out ends the
     * write short, as write(2) does; the next write meets the error. {@code before} counts bytes
     * the caller already wrote, which also make an error a short write.
     */
    private static int writeFully(AioFile file, long address, int length, long offset, int before) {
        int done = 0;
        while (done < length) {
            try {
                done += (int) Posix.pwrite(file.fd(), address + done, length - done, offset + done);
            } catch (LastErrorException e) {
                if (before + done > 0) {
                    break;
                }
                throw e;
            }
        }
        return done;
    }

    static Stat stat(Scratch scratch, byte[] path, int flags) {
        return statx(scratch, Posix.AT_FDCWD, path, flags);
    }

    static Stat fstat(Scratch scratch, AioFile file) {
        return statx(scratch, file.fd());
    }

    /** statx(2) of an open descriptor. */
    static Stat statx(Scratch scratch, int fd) {
        return statx(scratch, fd, EMPTY_PATH, Posix.AT_EMPTY_PATH);
    }

    private static Stat statx(Scratch scratch, int dirfd, byte[] path, int flags) {
        long address = scratch.path(path);
        if (address != 0) {
            Posix.statx(dirfd, address, flags, Posix.STATX_BASIC_STATS, scratch.struct());
        } else {
            Posix.statx(dirfd, path, flags, Posix.STATX_BASIC_STATS, scratch.struct());
        }
        ByteBuffer buf = scratch.fields();
        return new Stat(
                makedev(buf.getInt(136), buf.getInt(140)),
                buf.getLong(32),
                buf.getShort(28) & 0xffff,
                unsigned(buf.getInt(16)),
                unsigned(buf.getInt(20)),
                unsigned(buf.getInt(24)),
                makedev(buf.getInt(128), buf.getInt(132)),
                buf.getLong(40),
                unsigned(buf.getInt(4)),
                buf.getLong(48),
                time(buf, 64),
                time(buf, 112),
                time(buf, 96));
    }

    /** {@code struct statx_timestamp}: 64-bit seconds, then 32-bit nanoseconds. */
    private static Instant time(ByteBuffer buf, int offset) {
        return Instant.ofEpochSecond(buf.getLong(offset), unsigned(buf.getInt(offset + 8)));
    }

    /** glibc's gnu_dev_makedev, so {@code dev} compares equal to what stat(2) reports. */
    private static long makedev(int major, int minor) {
        long ma = unsigned(major);
        long mi = unsigned(minor);
        return ((ma & 0xfffff000L) << 32) | ((ma & 0xfffL) << 8) | ((mi & 0xffffff00L) << 12) | (mi & 0xffL);
    }

    private static long unsigned(int value) {
        return value & 0xffffffffL;
    }

    /** realpath(3) into the worker's scratch memory, far larger than PATH_MAX (4096). */
    static String realpath(Scratch scratch, byte[] path) {
        Memory bounce = scratch.bounce();
        if (Posix.realpath(path, Pointer.nativeValue(bounce)) == 0) {
            throw new LastErrorException(Native.getLastError());
        }
        return cString(bounce, 0);
    }

    /** The names in a directory, in directory order, without "." and "..". */
    static List<String> readdir(Scratch scratch, byte[] path) {
        List<DirEntry> entries = readdirx(scratch, path, 0);
        List<String> names = new ArrayList<>(entries.size());
        for (DirEntry entry : entries) {
            names.add(entry.name());
        }
        return names;
    }

    /** The entries of the directory at {@code path}, without "." and "..", in the order {@code flags} asks. */
    static List<DirEntry> readdirx(Scratch scratch, byte[] path, int flags) {
        int fd = Posix.open(path, Fcntl.O_RDONLY | Fcntl.O_DIRECTORY | Fcntl.O_CLOEXEC, 0);
        return DirectoryOrder.sort(readAndClose(scratch, fd), flags);
    }

    /**
     * The entries of an open directory: read through a descriptor of its own, opened relative to
     * {@code dir} (so an {@code O_PATH} descriptor will do, and {@code dir}'s offset is not moved).
     */
    static List<DirEntry> readdirx(Scratch scratch, AioFile dir, int flags) {
        int fd = Posix.openat(dir.fd(), DOT, Fcntl.O_RDONLY | Fcntl.O_DIRECTORY | Fcntl.O_CLOEXEC, 0);
        return DirectoryOrder.sort(readAndClose(scratch, fd), flags);
    }

    private static final byte[] DOT = {'.', 0};

    /**
     * Reads an open directory to its end with getdents64(2) and closes it. Each call fills the
     * worker's bounce buffer with as many records as fit (thousands), copied into Java in one go
     * and parsed there: a system call and a copy per few thousand names, where readdir(3) through
     * JNA cost a native call per name.
     */
    private static List<DirEntry> readAndClose(Scratch scratch, int fd) {
        try {
            Memory bounce = scratch.bounce();
            long address = Pointer.nativeValue(bounce);
            List<DirEntry> entries = new ArrayList<>();
            byte[] records = new byte[0];
            for (;;) {
                int n = (int) Posix.syscall(Posix.SYS_GETDENTS64, fd, address, Scratch.BOUNCE_BYTES);
                if (n == 0) {
                    return entries;
                }
                if (records.length < n) {
                    records = new byte[n];
                }
                bounce.read(0, records, 0, n);
                addRecords(records, n, entries);
            }
        } finally {
            closeQuietly(fd);
        }
    }

    /** Parses {@code struct linux_dirent64} records: d_ino (8), d_off (8), d_reclen (2), d_type (1), then d_name. */
    private static void addRecords(byte[] records, int length, List<DirEntry> entries) {
        ByteBuffer fields = ByteBuffer.wrap(records).order(ByteOrder.nativeOrder());
        for (int at = 0; at < length; ) {
            int reclen = fields.getShort(at + 16) & 0xffff;
            int name = at + 19;
            int end = name;
            while (records[end] != 0) {
                end++;
            }
            boolean dots = records[name] == '.' && (end == name + 1 || end == name + 2 && records[name + 1] == '.');
            if (!dots) {
                entries.add(new DirEntry(FileNames.fromBytes(records, name, end - name),
                        DirEntry.Type.of(records[at + 18] & 0xff), fields.getLong(at)));
            }
            at += reclen;
        }
    }

    /** The NUL-terminated bytes at {@code memory + offset}, as a lossless name. */
    private static String cString(Pointer memory, long offset) {
        long length = memory.indexOf(offset, (byte) 0); // counted from offset
        return FileNames.fromBytes(memory.getByteArray(offset, (int) length));
    }
}
