package io.linuxaio;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Trying a request on the submitting thread first, in a form the kernel promises will not wait for
 * a disk, so that a page-cached read, open, stat or close costs no trip through the worker pool:
 * one per engine, shared by its contexts; any thread may use it.
 *
 * <ul>
 *   <li>reads: {@code preadv2(RWF_NOWAIT)}; what it leaves (nothing cached, or only part) goes to a
 *       worker. Reads into direct memory that the callbacks of a running pollCb submit are tried
 *       together as that pollCb ends, in one {@code io_uring_enter} ({@link RingBatch}); a file
 *       opened with {@code O_DIRECT} is never read here, as the flag does not keep a direct read
 *       from waiting for the disk;</li>
 *   <li>opens for reading: {@code openat2} with {@code RESOLVE_CACHED} (the lookup must be answered
 *       from the dentry cache) and {@code RESOLVE_NO_XDEV} (it must stay on the starting directory's
 *       file system, which must be a local one), and {@code O_NONBLOCK}, so a FIFO or a device does
 *       not wait for its other end; anything but a regular file or a directory is closed again and
 *       opened by a worker, as are opens that create, truncate or write;</li>
 *   <li>{@code statx} of an open file on a local file system, and {@code close} of one opened for
 *       reading; the closes a running pollCb's callbacks make join its batch of reads, on a file
 *       system whose close runs no flush ({@link FileSystemKind#LOCAL_NO_FLUSH}).</li>
 * </ul>
 *
 * <p>"Local" is decided by the file system's magic number ({@code statfs}): ext2/3/4, xfs, btrfs,
 * f2fs, tmpfs, ramfs, overlayfs and a few more. A network file system or a FUSE daemon may answer an
 * open or a stat as slowly as it likes, so their files are opened, stat'ed and closed by workers.
 *
 * <p>A kernel, a file system or a seccomp profile may refuse the flags ({@code ENOSYS},
 * {@code EINVAL}, {@code EPERM}, {@code EOPNOTSUPP}). Then that path is switched off, with one
 * warning: for the engine, or for one file when only its file system refuses {@code RWF_NOWAIT};
 * and everything goes through the pool as before. The counters say how it goes, so a kernel that
 * quietly stops honouring the flags shows: completed here, handed on to the pool, refused, and
 * calls that took over a millisecond ({@link InlineStats#slow()}), which a call that cannot wait for
 * a disk should never take.
 */
final class Inline {
    private static final System.Logger LOG = System.getLogger(LinuxAio.class.getName());
    static final long SLOW_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    /** Flags an open tried here may not carry: they create, truncate or write. */
    private static final int WRITES = Fcntl.O_CREAT | Fcntl.O_TRUNC | Fcntl.O_ACCMODE;
    /** What openat2 takes (it refuses unknown bits, where open(2) ignores them), less what creates. */
    private static final int OPEN_FLAGS = Fcntl.O_ACCMODE | Fcntl.O_EXCL | Fcntl.O_NOCTTY | Fcntl.O_APPEND
            | Fcntl.O_NONBLOCK | Fcntl.O_DSYNC | Fcntl.O_SYNC | Fcntl.O_DIRECT | Fcntl.O_LARGEFILE | Fcntl.O_DIRECTORY
            | Fcntl.O_NOFOLLOW | Fcntl.O_NOATIME | Fcntl.O_CLOEXEC;
    /** What openat2 takes with O_PATH. */
    private static final int O_PATH_FLAGS = Fcntl.O_PATH | Fcntl.O_DIRECTORY | Fcntl.O_NOFOLLOW | Fcntl.O_CLOEXEC;

    private volatile boolean enabled = true;
    private final AtomicBoolean readsRefused = new AtomicBoolean();
    private final AtomicBoolean opensRefused = new AtomicBoolean();
    private final AtomicBoolean nowaitRefusedByAFileSystem = new AtomicBoolean();
    private final AtomicBoolean mincoreRefused = new AtomicBoolean();
    /** io_uring was refused: reads, opens and closes tried first are not batched (see {@link RingBatch}). */
    private final AtomicBoolean ringsRefused = new AtomicBoolean();
    private static final AtomicBoolean RING_REFUSAL_TOLD = new AtomicBoolean();
    /** Whether mincore was found not to answer for some file (see {@link #mincoreAnswers}): warned once. */
    private final AtomicBoolean mincoreSilent = new AtomicBoolean();
    /** The file systems absolute paths, and relative ones, start on. */
    private final FileSystemKind rootFileSystem;
    private final FileSystemKind cwdFileSystem;
    /** The mappings sendfile's page-cache checks are made on. */
    final MincoreMappings mappings = new MincoreMappings();

    final LongAdder reads = new LongAdder();
    /** Of {@link #reads}, those made in a batch through io_uring (see {@link RingBatch}). */
    final LongAdder readsBatched = new LongAdder();
    final LongAdder readsToPool = new LongAdder();
    final LongAdder opens = new LongAdder();
    final LongAdder opensToPool = new LongAdder();
    /** Of {@link #opens}, those made in a batch through io_uring (see {@link RingBatch}). */
    final LongAdder opensBatched = new LongAdder();
    final LongAdder stats = new LongAdder();
    final LongAdder closes = new LongAdder();
    /** Of {@link #closes}, those made in a batch through io_uring (see {@link RingBatch}). */
    final LongAdder closesBatched = new LongAdder();
    final LongAdder sendfiles = new LongAdder();
    final LongAdder sendfilesNotCached = new LongAdder();
    final LongAdder refused = new LongAdder();
    final LongAdder slow = new LongAdder();

    /** For tests: the errno the next tried call fails with instead of calling the kernel, or 0. */
    private volatile int injectedErrno;
    private volatile int injectedRingErrno;

    Inline() {
        Scratch scratch = Scratch.ofThisThread();
        this.rootFileSystem = fileSystemOf(scratch, new byte[] {'/', 0});
        this.cwdFileSystem = fileSystemOf(scratch, new byte[] {'.', 0});
        int refusal = probeResolveCached(scratch);
        if (refusal != 0) {
            opensRefused(refusal);
        }
    }

    void enabled(boolean on) {
        enabled = on;
    }

    boolean enabled() {
        return enabled;
    }

    InlineStats stats() {
        return new InlineStats(reads.sum(), readsToPool.sum(), opens.sum(), opensToPool.sum(), stats.sum(),
                closes.sum(), sendfiles.sum(), sendfilesNotCached.sum(), refused.sum(), slow.sum(), readsBatched.sum(),
                opensBatched.sum());
    }

    /** Makes the next call tried here fail as if the kernel had said {@code errno}. */
    void injectErrno(int errno) {
        injectedErrno = errno;
    }

    // ---------------------------------------------------------------- reads

    /** {@link #read}'s answer when nothing was read and a worker must do it all. */
    static final long TO_POOL = -2;

    /** The bytes a {@link #read} outcome says were read, finished or not. */
    static int bytesRead(long outcome) {
        return (int) (outcome >= 0 ? outcome : -outcome - 2);
    }

    /**
     * Whether reads of {@code file} are tried here. Not for a file opened with {@code O_DIRECT}:
     * RWF_NOWAIT keeps a direct read from waiting for a lock, not for the disk it reads.
     */
    boolean triesReads(AioFile file) {
        return enabled && !readsRefused.get() && !file.noNowaitReads && (file.flags & Fcntl.O_DIRECT) == 0;
    }

    /**
     * Whether a read tried here may wait for a batch ({@link RingBatch}): not once io_uring was
     * refused, and not while a test has an errno waiting for the next call tried.
     */
    boolean batchesReads() {
        return injectedErrno == 0 && !ringsRefused.get();
    }

    /**
     * Whether a close of {@code file}, tried here, may wait for a batch: as a read may, and on a file
     * system whose close runs no flush (io_uring hands any other to its own threads, and the batch
     * would wait for them).
     */
    boolean batchesCloses(AioFile file) {
        return batchesReads() && file.fileSystem == FileSystemKind.LOCAL_NO_FLUSH;
    }

    /**
     * io_uring refused {@code what} with {@code errno}: reads, opens and closes are made one by one from now
     * on, in this engine. Said once for the process, as the reason (a kernel, a seccomp profile) is its.
     * Not counted in {@link #refused}: no read is refused, each is tried as before, and a container
     * whose default profile forbids io_uring is no fault to watch for; {@code readsBatched} stays 0.
     */
    void ringsRefused(String what, int errno) {
        if (ringsRefused.compareAndSet(false, true)) {
            if (RING_REFUSAL_TOLD.compareAndSet(false, true)) {
                warn("io_uring refuses " + what + " here (" + Errno.name(errno) + "): reads, opens and closes tried first are"
                        + " made one by one, without batching");
            }
        }
    }

    /** For tests: the errno the next io_uring set-up fails with instead of calling the kernel, or 0. */
    void injectRingErrno(int errno) {
        injectedRingErrno = errno;
    }

    /** The injected errno for this set-up, once; 0 if none. */
    int takeInjectedRingErrno() {
        int injected = injectedRingErrno;
        if (injected != 0) {
            injectedRingErrno = 0;
        }
        return injected;
    }

    /**
     * Reads what the page cache holds of {@code length} bytes at {@code offset} into
     * {@code address}, without waiting for the disk. Returns the count read if the read is
     * finished (every byte, or the end of the file reached); otherwise {@code -(n + 2)} where
     * {@code n} bytes were read and a worker must read the rest ({@link #TO_POOL} for none).
     */
    long read(Scratch scratch, AioFile file, long offset, long address, int length) {
        long started = System.nanoTime();
        try {
            return counted(readRange(scratch, file, offset, address, length));
        } finally {
            countIfSlow(started);
        }
    }

    /** As {@link #read(Scratch, AioFile, long, long, int)}, into a Java array through this thread's bounce buffer. */
    long read(Scratch scratch, AioFile file, long offset, byte[] data, int at, int length) {
        long started = System.nanoTime();
        try {
            Memory bounce = scratch.bounce();
            long bounceAddress = Pointer.nativeValue(bounce);
            int done = 0;
            for (;;) {
                int chunk = Math.min(length - done, Scratch.BOUNCE_BYTES);
                long outcome = readRange(scratch, file, offset + done, bounceAddress, chunk);
                int n = bytesRead(outcome);
                bounce.read(0, data, at + done, n);
                done += n;
                if (outcome < 0) {
                    return counted(-(done + 2L));
                }
                if (n < chunk || done == length) {
                    return counted(done);
                }
            }
        } finally {
            countIfSlow(started);
        }
    }

    private long counted(long outcome) {
        (outcome >= 0 ? reads : readsToPool).increment();
        return outcome;
    }

    private long readRange(Scratch scratch, AioFile file, long offset, long address, int length) {
        ByteBuffer iov = scratch.fields();
        long iovAddress = scratch.struct();
        int done = 0;
        while (done < length) {
            iov.putLong(0, address + done);
            iov.putLong(8, length - done);
            long n = preadv2(file.fd(), iovAddress, offset + done);
            if (n < 0) {
                if (n != -Errno.EAGAIN) {
                    readRefused(file, (int) -n);
                }
                return -(done + 2L);
            }
            if (n == 0) {
                break; // the end of the file
            }
            // Short: only part was cached, or the file ends there. Ask once more: the end of the
            // file answers 0 and finishes the read here; a page not cached answers EAGAIN.
            done += (int) n;
        }
        return done;
    }

    /** preadv2 of one iovec with RWF_NOWAIT: the count read, or minus the errno. */
    private long preadv2(int fd, long iov, long offset) {
        int injected = injectedErrno;
        if (injected != 0) {
            injectedErrno = 0;
            return -injected;
        }
        long n = Posix.Quiet.preadv2(fd, iov, 1, offset, Posix.RWF_NOWAIT);
        return n >= 0 ? n : -Native.getLastError();
    }

    /** Not EAGAIN: the kernel, a seccomp profile or the file's file system does not take RWF_NOWAIT. */
    private void readRefused(AioFile file, int errno) {
        refused.increment();
        if (errno == Errno.EOPNOTSUPP) {
            file.noNowaitReads = true; // this file system only; other files may take it
            if (nowaitRefusedByAFileSystem.compareAndSet(false, true)) {
                warn("the file system of " + file.path() + " refuses preadv2(RWF_NOWAIT) (EOPNOTSUPP): its files are"
                        + " read by the worker pool only");
            }
        } else if (errno == Errno.ENOSYS || errno == Errno.EINVAL || errno == Errno.EPERM) {
            if (readsRefused.compareAndSet(false, true)) {
                warn("preadv2(RWF_NOWAIT) is refused here (" + Errno.name(errno) + "): every read goes to the worker"
                        + " pool from now on");
            }
        }
        // Anything else (EIO, ...) the worker will meet again and report.
    }

    // ---------------------------------------------------------------- opens

    /**
     * Whether an open of {@code path} relative to {@code dir} (null: the current directory) with
     * these flags is tried here: for reading only, with flags openat2 takes as open(2) does, starting
     * on a local file system.
     */
    boolean triesOpen(AioFile dir, String path, int flags) {
        if (!enabled || opensRefused.get()) {
            return false;
        }
        boolean readOnly = (flags & Fcntl.O_PATH) != 0 ? (flags & ~O_PATH_FLAGS) == 0
                : (flags & ~OPEN_FLAGS) == 0 && (flags & WRITES) == 0;
        return readOnly && startsLocal(dir, path);
    }

    private boolean startsLocal(AioFile dir, String path) {
        return startsOn(dir, path.startsWith("/")).local();
    }

    /**
     * The file system a path's lookup starts on: the root's for an absolute one, else the
     * directory's, or the current directory's. An open tried here stays on it (RESOLVE_NO_XDEV).
     */
    private FileSystemKind startsOn(AioFile dir, boolean absolute) {
        return absolute ? rootFileSystem : dir == null ? cwdFileSystem : dir.fileSystem;
    }

    /**
     * Opens for reading without waiting for a disk: the new file and its stat, or null if a worker
     * must open it (the lookup needs the disk, the path leaves the file system, the file is neither
     * a regular file nor a directory).
     *
     * @throws LastErrorException for an answer that is final (ENOENT, EACCES, ELOOP, ...)
     */
    OpenedFile open(Scratch scratch, AioFile dir, byte[] cPath, String name, int flags, int resolve) {
        long started = System.nanoTime();
        try {
            OpenedFile opened = openOrNull(scratch, dir, cPath, name, flags, resolve);
            (opened != null ? opens : opensToPool).increment();
            return opened;
        } catch (LastErrorException finalAnswer) {
            opens.increment();
            throw finalAnswer;
        } finally {
            countIfSlow(started);
        }
    }

    /** Whether a stat of a path is tried here: by a path-only open, as {@link #triesOpen} would. */
    boolean triesPathStat(String path) {
        return enabled && !opensRefused.get() && startsLocal(null, path);
    }

    /**
     * Stats a path without waiting for a disk: an {@code O_PATH} open answered from the dentry
     * cache, {@code statx} of it, and its close. Null if a worker must stat it.
     *
     * @throws LastErrorException for an answer that is final (ENOENT, ...)
     */
    Stat statPath(Scratch scratch, byte[] cPath, boolean followLast) {
        long started = System.nanoTime();
        try {
            OpenedFile opened = openOrNull(scratch, null, cPath, null, Fcntl.O_PATH | (followLast ? 0 : Fcntl.O_NOFOLLOW), 0);
            if (opened == null) {
                opensToPool.increment();
                return null;
            }
            Syscalls.closeQuietly(opened.file().fd()); // an O_PATH descriptor: nothing to flush
            stats.increment();
            return opened.stat();
        } catch (LastErrorException finalAnswer) {
            stats.increment();
            throw finalAnswer;
        } finally {
            countIfSlow(started);
        }
    }

    /**
     * Whether an open tried here may wait for a batch ({@link RingBatch}), as a read may
     * ({@link #batchesReads}); for one {@link #triesOpen} takes.
     */
    boolean batchesOpens() {
        return batchesReads() && !opensRefused.get();
    }

    /**
     * What an open made in a batch came to: {@code result} is the descriptor io_uring's openat2
     * returned, made with {@link #triedFlags} and {@link #triedResolve}, or minus its errno. As
     * {@link #open} answers: the new file and its stat, or null for a worker.
     *
     * @throws LastErrorException for an answer that is final (ENOENT, EACCES, ELOOP, ...)
     */
    OpenedFile openedInBatch(Scratch scratch, int result, AioFile dir, byte[] cPath, String name, int flags,
                             int resolve) {
        try {
            OpenedFile opened = opened(scratch, result, dir, cPath, name, flags, resolve);
            if (opened != null) {
                opens.increment();
                opensBatched.increment();
            } else {
                opensToPool.increment();
            }
            return opened;
        } catch (LastErrorException finalAnswer) {
            opens.increment();
            throw finalAnswer;
        }
    }

    /** The flags an open tried here is made with: a FIFO must not make it wait for a writer. */
    static int triedFlags(int flags) {
        return flags | ((flags & Fcntl.O_PATH) != 0 ? 0 : Fcntl.O_NONBLOCK);
    }

    /** The resolve flags an open tried here is made with: answered from the dentry cache, on its first file system. */
    static int triedResolve(int resolve) {
        return resolve | Resolve.RESOLVE_CACHED | Resolve.RESOLVE_NO_XDEV;
    }

    private OpenedFile openOrNull(Scratch scratch, AioFile dir, byte[] cPath, String name, int flags, int resolve) {
        int injected = injectedErrno;
        int fd;
        if (injected != 0) {
            injectedErrno = 0;
            fd = -injected;
        } else {
            fd = Syscalls.tryOpenat2(scratch, dir, cPath, triedFlags(flags), 0, triedResolve(resolve));
        }
        return opened(scratch, fd, dir, cPath, name, flags, resolve);
    }

    /** The open tried here answered {@code fd}, or minus the errno: the file and its stat, or null for a worker. */
    private OpenedFile opened(Scratch scratch, int fd, AioFile dir, byte[] cPath, String name, int flags, int resolve) {
        boolean pathOnly = (flags & Fcntl.O_PATH) != 0;
        if (fd < 0) {
            int errno = -fd;
            boolean askedFor = errno == Errno.EAGAIN && (resolve & Resolve.RESOLVE_CACHED) != 0
                    || errno == Errno.EXDEV && (resolve & Resolve.RESOLVE_NO_XDEV) != 0;
            switch (errno) {
                case Errno.ENOENT, Errno.ENOTDIR, Errno.EACCES, Errno.ENAMETOOLONG, Errno.ELOOP, Errno.EISDIR ->
                    throw Posix.failure(errno); // the dentry cache's answer is final
                case Errno.ENOSYS, Errno.EPERM -> opensRefused(errno);
                default -> {
                    if (askedFor) {
                        throw Posix.failure(errno); // the caller's own RESOLVE_CACHED or RESOLVE_NO_XDEV said so
                    }
                    // EAGAIN: the lookup needs the disk. EXDEV: another file system, or a limit of
                    // the caller's a worker will judge. EINVAL: a combination open(2) takes and
                    // openat2 does not. A worker answers them all as the caller asked.
                }
            }
            return null;
        }
        boolean handedOver = false;
        try {
            Stat stat = Syscalls.statx(scratch, fd);
            int type = stat.mode() & Stat.S_IFMT;
            if (!pathOnly && type != Stat.S_IFREG && type != Stat.S_IFDIR) {
                return null; // a FIFO or a device: its blocking open is the worker's to make
            }
            if (!pathOnly && (flags & Fcntl.O_NONBLOCK) == 0) {
                Posix.fcntl(fd, Posix.F_SETFL, flags); // as asked: without the O_NONBLOCK added here
            }
            AioFile file = new AioFile(fd, name, flags, startsOn(dir, cPath[0] == '/'));
            file.identity = FileIdentity.of(stat);
            OpenedFile opened = new OpenedFile(file, stat);
            handedOver = true;
            return opened;
        } finally {
            if (!handedOver) {
                Syscalls.closeQuietly(fd);
            }
        }
    }

    /** At start: whether openat2 takes RESOLVE_CACHED here (Linux 5.12, and a seccomp profile that allows openat2). */
    private static int probeResolveCached(Scratch scratch) {
        try {
            Syscalls.closeQuietly(Syscalls.openat2(scratch, null, new byte[] {'/', 0}, Fcntl.O_PATH | Fcntl.O_DIRECTORY, 0,
                    Resolve.RESOLVE_CACHED));
            return 0;
        } catch (LastErrorException e) {
            return e.getErrorCode() == Errno.EAGAIN ? 0 : e.getErrorCode();
        }
    }

    private void opensRefused(int errno) {
        refused.increment();
        if (opensRefused.compareAndSet(false, true)) {
            warn("openat2 with RESOLVE_CACHED is refused here (" + Errno.name(errno) + "; it needs Linux 5.12): every"
                    + " open goes to the worker pool from now on");
        }
    }

    // ---------------------------------------------------------------- stat and close

    /** Whether a stat of {@code file} is tried here. */
    boolean triesStat(AioFile file) {
        return enabled && file.fileSystem.local();
    }

    Stat stat(Scratch scratch, AioFile file) {
        long started = System.nanoTime();
        try {
            Stat stat = Syscalls.statx(scratch, file.fd());
            file.identity = FileIdentity.of(stat);
            stats.increment();
            return stat;
        } finally {
            countIfSlow(started);
        }
    }

    /** Whether a close of {@code file} is tried here: opened for reading, on a local file system. */
    boolean triesClose(AioFile file) {
        return enabled && file.fileSystem.local() && file.readOnly();
    }

    void close(AioFile file) {
        long started = System.nanoTime();
        try {
            closes.increment();
            Posix.close(file.fd());
        } finally {
            countIfSlow(started);
        }
    }

    // ---------------------------------------------------------------- sendfile of cached ranges

    /** {@link #sendCached}'s answer when it sent nothing because part of the range is not in the page cache. */
    static final long NOT_CACHED = -1;
    private static final long PAGE = Posix.getpagesize();
    /** The most one {@link #sendCached} looks at: a byte of mincore's answer a page, in the bounce buffer. */
    static final long MOST_CHECKED = (Scratch.BOUNCE_BYTES - 1) * PAGE;

    /**
     * A file offset far past the end of any file served, where no page is ever in the page cache:
     * mincore that reports one there resident is not reporting at all (see {@link #mincoreAnswers}).
     */
    static final long PROBE_OFFSET = 1L << 46;

    /**
     * Whether a sendfile from {@code file} is tried here: the file is on a local file system,
     * mincore works, and it answers for this file.
     */
    boolean triesSendfile(AioFile file) {
        return enabled && !mincoreRefused.get() && file.fileSystem.local() && file.mincoreAnswers >= 0;
    }

    /**
     * sendfile(2) of up to {@code length} bytes at {@code offset} of {@code in} to
     * {@code socketFd}, if mincore(2) finds every page of the range read in just before: the bytes
     * sent (0 when the socket takes none now), or {@link #NOT_CACHED}.
     *
     * <p>mincore, not cachestat(2): cachestat counts a page from the moment it is added to the page
     * cache, before the disk has filled it, and a sendfile over such a page waits for the read. In
     * the slow-storage benchmark, cachestat-checked sendfiles held an event loop for up to half a
     * second. mincore counts a page only once it is up to date, so the sendfile reads no disk;
     * what is left is a page evicted in the microseconds between the two calls, and
     * {@link InlineStats#slow()} counts every call that took over a millisecond.
     *
     * @throws LastErrorException if sendfile fails (the socket's error, such as EPIPE)
     */
    long sendCached(Scratch scratch, AioFile in, long offset, long length, int socketFd) {
        long started = System.nanoTime();
        try {
            long checked = Math.min(length, MOST_CHECKED);
            if (!mincoreAnswers(scratch, in)) {
                return NOT_CACHED;
            }
            if (!resident(scratch, in, offset, checked, started)) {
                if (!mincoreRefused.get()) { // a refusal counts as refused only
                    sendfilesNotCached.increment();
                }
                return NOT_CACHED;
            }
            scratch.fields().putLong(0, offset);
            long n = Posix.Quiet.sendfile(socketFd, in.fd(), scratch.struct(), checked);
            if (n < 0) {
                int errno = Native.getLastError();
                if (errno != Errno.EAGAIN) {
                    throw Posix.failure(errno);
                }
                n = 0;
            }
            sendfiles.increment();
            return n;
        } finally {
            countIfSlow(started);
        }
    }

    /**
     * Whether mincore tells the truth about {@code in}'s pages, probed once a file. Since Linux 5.0
     * mincore reports a file's pages only to a caller that owns the file, has CAP_FOWNER, or could
     * open it for writing (on a mount that is not read-only); to anyone else it reports every page
     * resident, so as not to be a side channel. A server that may only read the files it serves,
     * the usual way to deploy one, would then sendfile files that are not cached, and its loop
     * would wait for the disk. The probe asks about one page at {@link #PROBE_OFFSET}, which is
     * never cached: mincore that says it is resident is not answering, and the file's bodies are
     * read instead (the first such file counted as refused, with one warning). The answer is for
     * the identity of the thread that probed, which a server does not change. A probe that cannot
     * map gives no verdict and sends nothing. A thread with CAP_FOWNER needs no probe.
     */
    private boolean mincoreAnswers(Scratch scratch, AioFile in) {
        byte known = in.mincoreAnswers;
        if (known != 0) {
            return known > 0;
        }
        if (FOWNER.get()) {
            return true; // it answers such a thread about every file, with no probe
        }
        long mapping = Posix.Quiet.mmap(0, PAGE, Posix.PROT_READ, Posix.MAP_SHARED, in.fd(), PROBE_OFFSET);
        if (mapping == -1) {
            return mappingFailed(Native.getLastError()); // no verdict: probed again next time
        }
        boolean answers;
        try {
            answers = Posix.Quiet.mincore(mapping, PAGE, Pointer.nativeValue(scratch.bounce())) == 0
                    && (scratch.bounceBuffer().get(0) & 1) == 0;
        } finally {
            Posix.Quiet.munmap(mapping, PAGE);
        }
        in.mincoreAnswers = answers ? (byte) 1 : (byte) -1;
        // Counted once, with the warning, as the other refusals are: in a server that may only read
        // its files every such file meets it, and a count that grew with them would read as breakage.
        if (!answers && mincoreSilent.compareAndSet(false, true)) {
            refused.increment();
            warn("mincore does not answer for " + in.path() + " (this process may not write it): the bodies of"
                    + " such files are read into buffers, never sent with sendfile from an event loop");
        }
        return answers;
    }

    /**
     * Whether every page of the range is in the page cache and read in: mincore(2) of a read-only
     * shared mapping of it (which reads nothing): one kept for the file ({@link MincoreMappings}),
     * or one made for this check and unmapped after it. A page past the end of the file is not in.
     */
    private boolean resident(Scratch scratch, AioFile in, long offset, long length, long now) {
        long start = offset - offset % PAGE;
        long span = offset + length - start;
        int injected = injectedErrno;
        if (injected != 0) {
            injectedErrno = 0;
            return mappingFailed(injected);
        }
        if (MincoreMappings.keeps(in, offset + length)) {
            MincoreMappings.Mapping mapping;
            try {
                mapping = mappings.acquire(in, identity(scratch, in), offset + length, now);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.ENOMEM) {
                    return mappingFailed(e.getErrorCode());
                }
                mapping = null; // out of address space for a long mapping (RLIMIT_AS): map the range alone
            }
            if (mapping != null) {
                try {
                    return allResident(scratch, mapping.address + start, span);
                } finally {
                    mapping.release();
                }
            }
        }
        long mapping = Posix.Quiet.mmap(0, span, Posix.PROT_READ, Posix.MAP_SHARED, in.fd(), start);
        if (mapping == -1) {
            return mappingFailed(Native.getLastError());
        }
        try {
            return allResident(scratch, mapping, span);
        } finally {
            Posix.Quiet.munmap(mapping, span);
        }
    }

    /** mincore(2) of {@code span} bytes mapped at {@code address}: whether every page is in and read. */
    private static boolean allResident(Scratch scratch, long address, long span) {
        int pages = (int) ((span + PAGE - 1) / PAGE);
        if (Posix.Quiet.mincore(address, span, Pointer.nativeValue(scratch.bounce())) != 0) {
            return false;
        }
        ByteBuffer vector = scratch.bounceBuffer();
        for (int i = 0; i < pages; i++) {
            if ((vector.get(i) & 1) == 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Which file {@code in} reads: known from the stat its open made, or asked now of its descriptor
     * (statx of an open file on a local file system waits for no disk) and kept.
     */
    private static FileIdentity identity(Scratch scratch, AioFile in) {
        FileIdentity known = in.identity;
        if (known == null) {
            known = FileIdentity.of(Syscalls.statx(scratch, in.fd()));
            in.identity = known;
        }
        return known;
    }

    /** Unmaps the mappings kept for sendfile's checks: the engine is closing. */
    void close() {
        mappings.close();
    }

    /** _LINUX_CAPABILITY_VERSION_3, and CAP_FOWNER's bit in the first word of a set. */
    private static final int CAPABILITY_VERSION_3 = 0x20080522;
    private static final int CAP_FOWNER = 3;

    /**
     * Whether the thread has CAP_FOWNER in its effective set (root's threads, usually), asked once
     * a thread: mincore answers it about every file, so its sends need no probe. Capabilities are
     * the thread's own, and a server's threads do not change theirs.
     */
    private static final ThreadLocal<Boolean> FOWNER = ThreadLocal.withInitial(() -> {
        Scratch scratch = Scratch.ofThisThread();
        ByteBuffer fields = scratch.fields();
        fields.putInt(0, CAPABILITY_VERSION_3).putInt(4, 0); // the header: this thread
        int r = Posix.Quiet.capget(scratch.struct(), scratch.struct() + 8); // then two sets of three words
        return r == 0 && (fields.getInt(8) & (1 << CAP_FOWNER)) != 0;
    });

    /**
     * A mapping for mincore failed: false, so nothing is sent. Out of address space or mappings
     * for now, the range is read instead; refused outright, sendfile is never tried again.
     */
    private boolean mappingFailed(int errno) {
        if (errno == Errno.ENOMEM || errno == Errno.EAGAIN) {
            return false;
        }
        refused.increment();
        if (mincoreRefused.compareAndSet(false, true)) {
            warn("mmap for mincore is refused here (" + Errno.name(errno) + "): sendfileIfCached sends nothing"
                    + " from now on, and file bodies are read into buffers");
        }
        return false;
    }

    // ---------------------------------------------------------------- machinery

    void countIfSlow(long started) {
        if (System.nanoTime() - started > SLOW_NANOS) {
            slow.increment();
        }
    }

    /** The kind of file system the descriptor is on (see the class comment). */
    static FileSystemKind fileSystemOf(Scratch scratch, int fd) {
        try {
            Posix.fstatfs(fd, scratch.struct());
        } catch (LastErrorException e) {
            return FileSystemKind.REMOTE;
        }
        return FileSystemKind.of(scratch.fields().getLong(0));
    }

    private static FileSystemKind fileSystemOf(Scratch scratch, byte[] path) {
        try {
            Posix.statfs(path, scratch.struct());
        } catch (LastErrorException e) {
            return FileSystemKind.REMOTE;
        }
        return FileSystemKind.of(scratch.fields().getLong(0));
    }

    private static void warn(String message) {
        LOG.log(Level.WARNING, "linux-aio: " + message);
    }
}
