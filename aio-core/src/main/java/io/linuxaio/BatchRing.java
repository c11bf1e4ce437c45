package io.linuxaio;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One io_uring instance used for nothing but calls tried first that cannot wait: reads with
 * {@code RWF_NOWAIT}, opens with {@code RESOLVE_CACHED} and closes on file systems with no flush on
 * close. A batch of them is queued here and made in one {@code io_uring_enter}, where each would
 * otherwise cost a system call ({@code preadv2}, {@code openat2}, {@code close}). On a virtual machine entering the kernel is a large part of a
 * cached read's cost, and one entry for many calls is what lets one thread read faster than one
 * system call a read allows (see {@link RingBatch}, which uses it).
 *
 * <p>Every read carries {@code RWF_NOWAIT}, so the kernel completes each inside the enter: with the
 * bytes, or with {@code EAGAIN} where it would have to wait (a page not cached, a lock); an open
 * whose caller asked for {@code RESOLVE_CACHED} completes there with {@code EAGAIN} where the
 * lookup needs the disk, and a close with no flush to run completes there too. The kernel hands
 * none of them to its own io-wq threads, so
 * nothing is left in flight once {@link #submit} returns; should a kernel post a completion later
 * after all, {@link #reap} waits for it rather than let a buffer go while the kernel may still
 * write to it. Files opened with {@code O_DIRECT}, whose reads the kernel does complete later, are
 * never read here ({@link Inline#triesReads}).
 *
 * <p>Not thread-safe: one thread at a time uses it (a context's pollCb, under its lock). The
 * rings are shared memory with the kernel: the SQ tail and CQ head are stored with release
 * semantics, the CQ tail loaded with acquire, as the io_uring ABI asks.
 */
final class BatchRing implements AutoCloseable {
    /** The same numbers on every architecture: io_uring came after the tables were unified. */
    private static final long SYS_IO_URING_SETUP = 425;
    private static final long SYS_IO_URING_ENTER = 426;
    private static final int IORING_ENTER_GETEVENTS = 1;
    private static final byte IORING_OP_CLOSE = 19;
    private static final byte IORING_OP_READ = 22;
    private static final byte IORING_OP_OPENAT2 = 28;
    private static final long IORING_OFF_SQ_RING = 0;
    private static final long IORING_OFF_CQ_RING = 0x8000000L;
    private static final long IORING_OFF_SQES = 0x10000000L;
    private static final int IORING_FEAT_SINGLE_MMAP = 1;
    private static final int PROT_READ_WRITE = 3;
    private static final int MAP_POPULATE = 0x8000;
    /** {@code struct io_uring_params}, and where its fields sit. */
    private static final int PARAMS_BYTES = 120;
    private static final int SQ_OFF = 40;
    private static final int CQ_OFF = 80;
    private static final int SQE_BYTES = 64;
    private static final int CQE_BYTES = 16;
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    /** What a reap hands each completion to. */
    @FunctionalInterface
    interface Completion {
        /** The call queued with {@code tag} finished with {@code result}: bytes read (0 for a close), or minus an errno. */
        void completed(int tag, int result);
    }

    private final int fd;
    private final Mapping sqRing;
    private final Mapping cqRing; // the same as sqRing where the kernel maps both at once
    private final Mapping entries;
    private final int sqHead;
    private final int sqTail;
    private final int sqMask;
    private final int cqHead;
    private final int cqTail;
    private final int cqMask;
    private final int cqes;
    /** Calls queued since the last submit. */
    private int queued;
    /** Calls submitted whose completions have not been reaped. */
    private int inFlight;
    private boolean closed;

    private BatchRing(int fd, int sqEntries, Mapping sqRing, Mapping cqRing, Mapping entries, Memory params) {
        this.fd = fd;
        this.sqRing = sqRing;
        this.cqRing = cqRing;
        this.entries = entries;
        this.sqHead = params.getInt(SQ_OFF);
        this.sqTail = params.getInt(SQ_OFF + 4);
        this.sqMask = sqRing.buffer.getInt(params.getInt(SQ_OFF + 8));
        this.cqHead = params.getInt(CQ_OFF);
        this.cqTail = params.getInt(CQ_OFF + 4);
        this.cqMask = cqRing.buffer.getInt(params.getInt(CQ_OFF + 8));
        this.cqes = params.getInt(CQ_OFF + 20);
        int array = params.getInt(SQ_OFF + 24);
        for (int i = 0; i < sqEntries; i++) {
            sqRing.buffer.putInt(array + 4 * i, i); // slot i of the ring is always entry i
        }
    }

    /**
     * Sets up a ring for {@code capacity} calls at a time (a power of two).
     *
     * @throws LastErrorException if the kernel refuses, with nothing left open: ENOSYS (too old),
     *     EPERM (a seccomp profile, or {@code kernel.io_uring_disabled}), EMFILE or ENOMEM (out of
     *     descriptors or memory)
     */
    static BatchRing open(int capacity) throws LastErrorException {
        try (Memory params = new Memory(PARAMS_BYTES)) {
            params.clear();
            long fd = Posix.Quiet.syscall(SYS_IO_URING_SETUP, capacity, Pointer.nativeValue(params), 0, 0, 0, 0);
            if (fd < 0) {
                throw Posix.failure(Native.getLastError());
            }
            int ringFd = (int) fd;
            Mapping sq = null;
            Mapping cq = null;
            try {
                int sqEntries = params.getInt(0);
                int cqEntries = params.getInt(4);
                boolean single = (params.getInt(20) & IORING_FEAT_SINGLE_MMAP) != 0;
                long sqBytes = params.getInt(SQ_OFF + 24) + 4L * sqEntries;
                long cqBytes = params.getInt(CQ_OFF + 20) + (long) CQE_BYTES * cqEntries;
                if (single) {
                    sq = Mapping.of(ringFd, Math.max(sqBytes, cqBytes), IORING_OFF_SQ_RING);
                    cq = sq;
                } else {
                    sq = Mapping.of(ringFd, sqBytes, IORING_OFF_SQ_RING);
                    cq = Mapping.of(ringFd, cqBytes, IORING_OFF_CQ_RING);
                }
                Mapping sqes = Mapping.of(ringFd, (long) SQE_BYTES * sqEntries, IORING_OFF_SQES);
                return new BatchRing(ringFd, sqEntries, sq, cq, sqes, params);
            } catch (MappingFailed e) {
                if (cq != null && cq != sq) {
                    cq.unmap();
                }
                if (sq != null) {
                    sq.unmap();
                }
                closeQuietly(ringFd);
                throw Posix.failure(e.errno);
            }
        }
    }

    private static void closeQuietly(int fd) {
        try {
            Posix.close(fd);
        } catch (LastErrorException ignored) {
            // Closing a descriptor we own and used for nothing cannot fail in a way worth reporting.
        }
    }

    /**
     * Queues a read of {@code length} bytes at {@code offset} of {@code fd} into {@code address}
     * with {@code RWF_NOWAIT}; {@code tag} comes back with its completion. The caller keeps the
     * memory alive until the completion is reaped, and queues no more than the capacity it asked
     * for between reaps.
     */
    void addRead(int fileFd, long offset, long address, int length, int tag) {
        int at = next(IORING_OP_READ, fileFd, tag);
        ByteBuffer sqe = entries.buffer;
        sqe.putLong(at + 8, offset);
        sqe.putLong(at + 16, address);
        sqe.putInt(at + 24, length);
        sqe.putInt(at + 28, Posix.RWF_NOWAIT);
    }

    /**
     * Queues a close of {@code fd}; {@code tag} comes back with its completion, 0 or minus the
     * errno. Only for a file system with no flush on close, which the kernel closes inside the
     * enter ({@link FileSystemKind#LOCAL_NO_FLUSH}); another's it would hand to its own threads.
     */
    void addClose(int fileFd, int tag) {
        next(IORING_OP_CLOSE, fileFd, tag);
    }

    /**
     * Queues an {@code openat2} of the NUL-terminated path at {@code pathAddress} relative to
     * {@code dirFd}, with the {@code struct open_how} at {@code howAddress}; {@code tag} comes back
     * with its completion, the new descriptor or minus the errno. The kernel copies both in as the
     * call is taken, so the memory may be reused once {@link #submit} returns. Only for a read-only
     * open whose {@code open_how} asks for {@code RESOLVE_CACHED}: the kernel then answers EAGAIN
     * inside the enter where the lookup would need the disk, rather than hand the open to its own
     * threads.
     */
    void addOpen(int dirFd, long pathAddress, long howAddress, int tag) {
        int at = next(IORING_OP_OPENAT2, dirFd, tag);
        ByteBuffer sqe = entries.buffer;
        sqe.putLong(at + 8, howAddress);
        sqe.putLong(at + 16, pathAddress);
        sqe.putInt(at + 24, Posix.OPEN_HOW_BYTES);
    }

    /** The next free entry, zeroed but for its opcode, descriptor and tag; where it starts. */
    private int next(byte opcode, int fileFd, int tag) {
        int tail = (int) INT.get(sqRing.buffer, sqTail) + queued;
        int at = (tail & sqMask) * SQE_BYTES;
        ByteBuffer sqe = entries.buffer;
        for (int i = 0; i < SQE_BYTES; i += 8) {
            sqe.putLong(at + i, 0);
        }
        sqe.put(at, opcode);
        sqe.putInt(at + 4, fileFd);
        sqe.putLong(at + 32, tag);
        queued++;
        return at;
    }

    /**
     * Hands the queued calls to the kernel in one system call. Returns how many it took; those
     * queued after them (the kernel stops at an error it meets before a call starts, or takes none
     * if the call fails) are withdrawn, and the caller makes them another way.
     */
    int submit() {
        int count = queued;
        if (count == 0) {
            return 0;
        }
        queued = 0;
        int head = (int) INT.getAcquire(sqRing.buffer, sqHead);
        int tail = (int) INT.get(sqRing.buffer, sqTail);
        INT.setRelease(sqRing.buffer, sqTail, tail + count);
        long taken;
        do {
            taken = Posix.Quiet.syscall(SYS_IO_URING_ENTER, fd, count, 0, 0, 0, 0);
        } while (taken < 0 && Native.getLastError() == Errno.EINTR);
        int took = (int) Math.max(0, taken);
        if (took < count) {
            // Nothing but io_uring_enter reads the queue (no SQPOLL), so what it left can be taken back.
            INT.setRelease(sqRing.buffer, sqTail, head + took);
        }
        inFlight += took;
        return took;
    }

    /**
     * Hands every completion of the submitted calls to {@code completion}. The kernel posts them
     * before {@link #submit} returns (see the class comment); any it has not posted yet are waited
     * for, so that no read is left writing into memory its caller lets go of.
     */
    void reap(Completion completion) {
        while (inFlight > 0) {
            int head = (int) INT.get(cqRing.buffer, cqHead);
            int tail = (int) INT.getAcquire(cqRing.buffer, cqTail);
            if (head == tail) {
                Posix.Quiet.syscall(SYS_IO_URING_ENTER, fd, 0, inFlight, IORING_ENTER_GETEVENTS, 0, 0);
                continue;
            }
            for (; head != tail; head++) {
                int at = cqes + (head & cqMask) * CQE_BYTES;
                int tag = (int) cqRing.buffer.getLong(at);
                int result = cqRing.buffer.getInt(at + 8);
                inFlight--;
                INT.setRelease(cqRing.buffer, cqHead, head + 1); // the slot is free before the callback
                completion.completed(tag, result);
            }
        }
    }

    /** Calls submitted whose completions {@link #reap} has not handed on. */
    int inFlight() {
        return inFlight;
    }

    /**
     * Closes the ring; only with nothing queued or in flight. Once: a second munmap of an address
     * could unmap whatever the JVM mapped there since.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        entries.unmap();
        if (cqRing != sqRing) {
            cqRing.unmap();
        }
        sqRing.unmap();
        closeQuietly(fd);
    }

    /** A shared mapping of part of the ring's file, and a buffer over it. */
    private static final class Mapping {
        final long address;
        final long length;
        final ByteBuffer buffer;

        private Mapping(long address, long length) {
            this.address = address;
            this.length = length;
            this.buffer = new Pointer(address).getByteBuffer(0, length).order(ByteOrder.nativeOrder());
        }

        static Mapping of(int fd, long length, long offset) throws MappingFailed {
            long address = Posix.Quiet.mmap(0, length, PROT_READ_WRITE, Posix.MAP_SHARED | MAP_POPULATE, fd, offset);
            if (address == -1) {
                throw new MappingFailed(Native.getLastError());
            }
            return new Mapping(address, length);
        }

        void unmap() {
            Posix.Quiet.munmap(address, length);
        }
    }

    private static final class MappingFailed extends Exception {
        private static final long serialVersionUID = 1L;
        final int errno;

        MappingFailed(int errno) {
            super(null, null, false, false);
            this.errno = errno;
        }
    }
}
