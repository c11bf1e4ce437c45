package io.linuxaio;

import com.sun.jna.LastErrorException;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A completion context: where requests are submitted and where their callbacks run.
 *
 * <p>Each context has its own result queue and its own eventfd, {@link #pollFileno()}, which is
 * readable exactly while results wait. An event loop watches that fd and calls {@link #pollCb()},
 * which runs the waiting callbacks on its own thread. All contexts of one {@link LinuxAio} share its
 * worker pool; {@code LinuxAio} itself is the default context.
 *
 * <p>Threads: requests may be submitted from any thread. {@code pollCb} may be called from several
 * threads, but callbacks of one context never run at the same time. Callbacks never run on a
 * worker thread.
 *
 * <p>Arguments are checked in the calling thread before anything reaches native code: a null, a
 * negative offset or length, a range past the array or buffer, a closed {@link AioFile} or a closed
 * context throws there, and no request is made. A failed system call reaches the callback as an
 * {@link AioException}. Every callback parameter may be null when only the returned request's
 * {@link AioRequest#future() future} is wanted.
 */
public class AioContext implements AutoCloseable {
    /** The lowest request priority, as IO::AIO's {@code aioreq_pri}: served after every other. */
    public static final int PRI_MIN = -4;
    /** The priority of requests made through a context that is not a {@link #withPriority(int) priority view}. */
    public static final int PRI_DEFAULT = 0;
    /** The highest request priority. */
    public static final int PRI_MAX = 4;

    /** The engine's workers; package-private for tests. */
    final WorkerPool pool;
    private final Shared shared;
    private final Inline inline;
    private final Completions completions;
    /** The context this one is a priority view of, or itself. */
    private final AioContext base;
    private final int priority;
    private final int level;
    /** The event loop whose thread polls this context, or null for a caller that polls it itself. */
    private final AioPoller poller;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    AioContext(Shared shared, AioPoller poller) {
        this.shared = shared;
        this.inline = shared.inline;
        this.pool = shared.pool;
        this.poller = poller;
        this.completions = new Completions(pool.spinBudget(), shared.failures, poller);
        this.base = this;
        this.priority = PRI_DEFAULT;
        this.level = PRI_MAX - PRI_DEFAULT;
    }

    private AioContext(AioContext base, int priority) {
        this.shared = base.shared;
        this.inline = base.inline;
        this.pool = base.pool;
        this.poller = base.poller;
        this.completions = base.completions;
        this.base = base;
        this.priority = priority;
        this.level = PRI_MAX - priority;
    }

    /**
     * This same context, submitting its requests at another priority: the Java form of IO::AIO's
     * {@code aioreq_pri}. Workers take the oldest waiting request of the highest priority first, so
     * a request made through {@code withPriority(PRI_MIN)} waits while any other does; use it for
     * bulk work (the body reads of a large download) that must not hold up short requests.
     *
     * <p>The view shares everything else with this context: its callbacks run in this context's
     * {@link #pollCb()}, its fd is this context's fd, and closing either closes both. Views are
     * cheap; make one per priority and keep it.
     *
     * @param priority from {@link #PRI_MIN} (-4) to {@link #PRI_MAX} (4); the default is 0
     */
    public AioContext withPriority(int priority) {
        if (priority < PRI_MIN || priority > PRI_MAX) {
            throw new IllegalArgumentException("priority must be from " + PRI_MIN + " to " + PRI_MAX + ": " + priority);
        }
        return priority == this.priority ? this : new AioContext(base, priority);
    }

    /** The priority this context's requests are queued at. */
    public int priority() {
        return priority;
    }

    // ---------------------------------------------------------------- polling

    /**
     * The eventfd that is readable exactly while results wait in this context (counting those a
     * running {@link #pollCb()} has yet to deliver). Watch it for readability (level-triggered) and
     * call {@link #pollCb()} when it is. Never read, write or close it yourself; it is closed when
     * this context is.
     *
     * <p>Until this method is first called nobody can be watching the fd, so the engine leaves it
     * alone: a poller that only uses {@link #pollWait()} pays no eventfd system calls. From the
     * first call on (results already waiting make it readable at once) it follows the queue.
     *
     * @throws IllegalStateException once this context is closed: its number may name another
     *     file by then
     */
    public int pollFileno() {
        return completions.pollFileno();
    }

    /**
     * Runs the callbacks of every result waiting in this context, on the calling thread, and returns
     * how many ran; 0 at once when none wait. Results that arrive while it runs are taken too,
     * up to {@link #maxPollReqs(int)} in one call.
     */
    public int pollCb() {
        return completions.pollCb();
    }

    /**
     * Blocks until a result waits or no request is outstanding; then call {@link #pollCb()}.
     *
     * <p>While the engine's busy workers leave a core free, it spins for up to 10 µs before it
     * sleeps, so a result that follows closely costs no sleep and wake-up; with every core taken by
     * a worker it sleeps at once, leaving the cores to them.
     */
    public void pollWait() throws InterruptedException {
        completions.pollWait();
    }

    /**
     * As {@link #pollWait()}, for at most {@code timeout}: zero or negative only looks, and a
     * timeout too long to count in nanoseconds waits as long as it takes.
     *
     * @return true if a result waits or nothing is outstanding, false if the time ran out
     */
    public boolean pollWait(Duration timeout) throws InterruptedException {
        return completions.pollWait(timeout);
    }

    /** Requests submitted to this context and not yet delivered (a running callback's own request no longer counts). */
    public int nreqs() {
        return completions.count.get();
    }

    /**
     * Results waiting for {@link #pollCb()}: finished, their callbacks not yet run. IO::AIO's
     * {@code npending}; cheap enough to watch (no walk of the queue).
     */
    public int npending() {
        return completions.npending();
    }

    /** How many callbacks one {@link #pollCb()} runs at most; 0 (the default) means no limit. */
    public void maxPollReqs(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("maxPollReqs must be >= 0: " + n);
        }
        completions.maxPollReqs(n);
    }

    /** Times the eventfd was made readable: one per empty-to-waiting change of the result queue. */
    long wakeups() {
        return completions.wakeups();
    }

    // ---------------------------------------------------------------- requests

    /**
     * Opens a file, as {@code open(2)}; the callback gets an {@link AioFile} for every other request.
     *
     * @param flags {@link Fcntl} flags such as {@code O_RDONLY} or {@code O_WRONLY | O_CREAT}
     * @param mode permission bits for a created file, such as {@code 0644}
     */
    public AioRequest<AioFile> open(String path, int flags, int mode, AioCallback<? super AioFile> callback) {
        byte[] cPath = NativePath.encode(path);
        if ((mode & ~07777) != 0) {
            throw new IllegalArgumentException("mode has bits beyond 07777: 0" + Integer.toOctalString(mode));
        }
        Attempt<AioFile> first = !inline.triesOpen(null, path, flags) ? null : scratch -> {
            OpenedFile opened = inline.open(scratch, null, cPath, path, flags, 0);
            return opened == null ? TO_POOL : opened.file();
        };
        return submit("open", path, null, scratch -> Syscalls.open(scratch, cPath, path, flags, mode), first, callback);
    }

    /**
     * Opens a file relative to a directory, as {@code openat2(2)}, with the kernel enforcing the
     * {@link Resolve} limits while it resolves the path: {@code RESOLVE_BENEATH} opens only what
     * lies under {@code dir}, whatever symbolic links the path meets. This extends Perl's set the way
     * IO::AIO's {@code aio_open} relative to an {@code aio_wd} does. {@code O_CLOEXEC} is always
     * added. The {@link AioFile}'s {@link AioFile#path() path} is {@code dir}'s path joined with
     * {@code path}, for messages.
     *
     * <p>A closing of {@code dir} submitted meanwhile waits until this open has run. A path the
     * limits refuse fails with {@code EXDEV} (or {@code ELOOP} for a refused link). A kernel before
     * 5.6 has no openat2 and fails every call with {@code ENOSYS}; a container whose seccomp
     * profile predates it (Docker before 20.10) fails it with {@code EPERM}. Both reach the
     * callback, so a caller can fall back to {@link #open} and check the result itself.
     *
     * @param dir an open directory (an {@code O_PATH | O_DIRECTORY} one is enough), or null for
     *            the current directory
     * @param flags {@link Fcntl} flags; unknown bits fail with {@code EINVAL}, as openat2 has it
     * @param mode permission bits for a created file; must be 0 unless {@code flags} has
     *             {@code O_CREAT} or {@code O_TMPFILE}, as openat2 requires
     * @param resolve {@link Resolve} flags, or 0
     * @throws IllegalArgumentException for mode or resolve bits that are not allowed
     * @throws IllegalStateException if {@code dir} or this context is closed
     */
    public AioRequest<AioFile> openat(AioFile dir, String path, int flags, int mode, int resolve,
                                      AioCallback<? super AioFile> callback) {
        byte[] cPath = checkOpenat(path, flags, mode, resolve);
        String name = joinedName(dir, path);
        Attempt<AioFile> first = !inline.triesOpen(dir, path, flags) ? null : scratch -> {
            OpenedFile opened = inline.open(scratch, dir, cPath, name, flags, resolve);
            return opened == null ? TO_POOL : opened.file();
        };
        return submit("openat", name, dir, scratch -> Syscalls.openat(scratch, dir, cPath, name, flags, mode, resolve),
                first, callback);
    }

    /**
     * {@link #openat} and then {@code statx} of the new descriptor, in one trip through the worker
     * pool: the stat describes exactly the file that was opened. If the stat fails, the new
     * descriptor is closed on the worker and the callback gets the stat's error. Arguments,
     * errors and threads as {@link #openat}.
     */
    public AioRequest<OpenedFile> openatStat(AioFile dir, String path, int flags, int mode, int resolve,
                                             AioCallback<? super OpenedFile> callback) {
        byte[] cPath = checkOpenat(path, flags, mode, resolve);
        String name = joinedName(dir, path);
        Attempt<OpenedFile> first = !inline.triesOpen(dir, path, flags) ? null : scratch -> {
            OpenedFile opened = inline.open(scratch, dir, cPath, name, flags, resolve);
            return opened == null ? TO_POOL : opened;
        };
        return submit("openat", name, dir, scratch -> Syscalls.openatStat(scratch, dir, cPath, name, flags, mode, resolve),
                first, callback);
    }

    /** Bits of O_TMPFILE beyond O_DIRECTORY; with them openat2 takes a mode, as with O_CREAT. */
    private static final int O_TMPFILE_ONLY = 020000000;

    private static byte[] checkOpenat(String path, int flags, int mode, int resolve) {
        byte[] cPath = NativePath.encode(path);
        if ((mode & ~07777) != 0) {
            throw new IllegalArgumentException("mode has bits beyond 07777: 0" + Integer.toOctalString(mode));
        }
        if (mode != 0 && (flags & (Fcntl.O_CREAT | O_TMPFILE_ONLY)) == 0) {
            throw new IllegalArgumentException("a mode is for O_CREAT or O_TMPFILE only: 0" + Integer.toOctalString(mode));
        }
        if ((resolve & ~Resolve.ALL) != 0) {
            throw new IllegalArgumentException("unknown resolve bits: 0x" + Integer.toHexString(resolve & ~Resolve.ALL));
        }
        return cPath;
    }

    /** A name for messages: an absolute path stands alone, a relative one is joined to its directory's. */
    private static String joinedName(AioFile dir, String path) {
        if (dir == null || path.startsWith("/")) {
            return path;
        }
        String base = dir.path();
        return base.endsWith("/") ? base + path : base + "/" + path;
    }

    /**
     * Closes a file once every request already submitted on it has finished. From this call on, new
     * requests on the file throw in the caller.
     */
    public AioRequest<Void> close(AioFile file, AioCallback<? super Void> callback) {
        Objects.requireNonNull(file, "file");
        reserve();
        Request<Void> close = new Request<>(completions, level, "close", file.path(), null, scratch -> {
            Posix.close(file.fd());
            return null;
        }, callback);
        boolean unused;
        try {
            // Queued for a worker by the last request still using the descriptor, whatever thread that is.
            unused = file.markClosing(() -> pool.submit(close));
        } catch (IllegalStateException alreadyClosing) {
            completions.uncount();
            throw alreadyClosing;
        }
        if (!unused) {
            return close;
        }
        if (inline.triesClose(file)) {
            try {
                inline.close(file);
            } catch (LastErrorException e) {
                close.fail(AioException.of("close", file.path(), e));
            }
            completions.addInline(close);
        } else {
            pool.submit(close);
        }
        return close;
    }

    /**
     * Reads up to {@code length} bytes at file {@code offset} into {@code data[dataOffset...]}, as
     * Perl's {@code aio_read}. The result is the number of bytes read: fewer only at end of file.
     * Don't touch that part of the array before the callback runs.
     */
    public AioRequest<Integer> read(AioFile file, long offset, int length, byte[] data, int dataOffset,
                                    AioCallback<? super Integer> callback) {
        checkRange(file, offset, length);
        Objects.checkFromIndexSize(dataOffset, length, data.length);
        return readArray(file, offset, data, dataOffset, length, callback);
    }

    /**
     * Reads at file {@code offset} into {@code dst} from its position up to its limit. A direct
     * buffer is filled by the kernel with no copy. When the callback runs, the buffer's position has
     * moved past the bytes read; don't touch the buffer before then.
     */
    public AioRequest<Integer> read(AioFile file, long offset, ByteBuffer dst, AioCallback<? super Integer> callback) {
        Objects.requireNonNull(dst, "dst");
        if (dst.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
        int position = dst.position();
        int length = dst.remaining();
        checkRange(file, offset, length);
        AioCallback<Integer> advance = (n, error) -> {
            if (error == null) {
                dst.position(position + n);
            }
            if (callback != null) {
                callback.complete(n, error);
            }
        };
        if (dst.isDirect()) {
            // The address is taken here, so the worker touches neither the buffer nor JNI for it.
            return readDirect(file, offset, dst, Syscalls.address(dst) + position, length, advance);
        }
        return readArray(file, offset, dst.array(), dst.arrayOffset() + position, length, advance);
    }

    /** A read into memory at {@code address} within {@code dst}, tried here first. */
    private AioRequest<Integer> readDirect(AioFile file, long offset, ByteBuffer dst, long address, int length,
                                           AioCallback<? super Integer> callback) {
        reserveFor(file);
        long first = TRIED_NOTHING;
        if (inline.triesReads(file)) {
            try {
                first = inline.read(Scratch.ofThisThread(), file, offset, address, length);
            } finally {
                Reference.reachabilityFence(dst); // the kernel wrote into its memory
            }
        }
        return readRest(file, first, callback, done ->
                scratch -> done + Syscalls.readDirect(file, offset + done, dst, address + done, length - done));
    }

    /** A read into a Java array, through the reading thread's bounce buffer; tried here first. */
    private AioRequest<Integer> readArray(AioFile file, long offset, byte[] data, int at, int length,
                                          AioCallback<? super Integer> callback) {
        reserveFor(file);
        long first = TRIED_NOTHING;
        if (inline.triesReads(file)) {
            first = inline.read(Scratch.ofThisThread(), file, offset, data, at, length);
        }
        return readRest(file, first, callback, done ->
                scratch -> done + Syscalls.readArray(scratch, file, offset + done, data, at + done, length - done));
    }

    /** What a read tried first left: nothing (done here), or the rest for a worker, {@code rest(done)}. */
    private AioRequest<Integer> readRest(AioFile file, long first, AioCallback<? super Integer> callback,
                                         java.util.function.IntFunction<Request.Op<Integer>> rest) {
        String path = file.path();
        if (first >= 0) {
            Request<Integer> request = new Request<>(completions, level, "read", path, file, null, callback);
            request.succeed((int) first);
            deliverTriedHere(request);
            return request;
        }
        int done = Inline.bytesRead(first);
        Request<Integer> request = new Request<>(completions, level, "read", path, file, rest.apply(done), callback);
        pool.submit(request);
        return request;
    }

    /** {@code inline.read}'s "nothing read, all for a worker" when nothing was tried. */
    private static final long TRIED_NOTHING = Inline.TO_POOL;

    /**
     * Writes {@code data[dataOffset...]} at file {@code offset}, as Perl's {@code aio_write}. The
     * result is the number of bytes written: all of them, unless an error (a full disk) stopped the
     * write after some went out; if none did, the callback gets the error.
     */
    public AioRequest<Integer> write(AioFile file, long offset, int length, byte[] data, int dataOffset,
                                     AioCallback<? super Integer> callback) {
        checkRange(file, offset, length);
        Objects.checkFromIndexSize(dataOffset, length, data.length);
        return submit("write", file.path(), file, scratch -> Syscalls.writeArray(scratch, file, offset, data, dataOffset, length), callback);
    }

    /**
     * Writes {@code src} from its position up to its limit at file {@code offset}; a direct buffer
     * goes to the kernel with no copy. When the callback runs, the position has moved past the bytes
     * written.
     */
    public AioRequest<Integer> write(AioFile file, long offset, ByteBuffer src, AioCallback<? super Integer> callback) {
        Objects.requireNonNull(src, "src");
        int position = src.position();
        int length = src.remaining();
        checkRange(file, offset, length);
        AioCallback<Integer> advance = (n, error) -> {
            if (error == null) {
                src.position(position + n);
            }
            if (callback != null) {
                callback.complete(n, error);
            }
        };
        if (src.isDirect()) {
            long address = Syscalls.address(src) + position;
            return submit("write", file.path(), file, scratch -> Syscalls.writeDirect(file, offset, src, address, length), advance);
        }
        if (!src.hasArray()) {
            // A read-only heap buffer hides its array; write from a copy taken now.
            byte[] copy = new byte[length];
            src.duplicate().get(copy);
            return submit("write", file.path(), file, scratch -> Syscalls.writeArray(scratch, file, offset, copy, 0, length), advance);
        }
        byte[] array = src.array();
        int at = src.arrayOffset() + position;
        return submit("write", file.path(), file, scratch -> Syscalls.writeArray(scratch, file, offset, array, at, length), advance);
    }

    /** Stats a path, following symbolic links. */
    public AioRequest<Stat> stat(String path, AioCallback<? super Stat> callback) {
        byte[] cPath = NativePath.encode(path);
        return submit("stat", path, null, scratch -> Syscalls.stat(scratch, cPath, 0), statFirst(path, cPath, true), callback);
    }

    /** Stats an open file ({@code fstat}). */
    public AioRequest<Stat> stat(AioFile file, AioCallback<? super Stat> callback) {
        Objects.requireNonNull(file, "file");
        Attempt<Stat> first = !inline.triesStat(file) ? null : scratch -> inline.stat(scratch, file);
        return submit("fstat", file.path(), file, scratch -> Syscalls.fstat(scratch, file), first, callback);
    }

    /** Stats a path without following a final symbolic link. */
    public AioRequest<Stat> lstat(String path, AioCallback<? super Stat> callback) {
        byte[] cPath = NativePath.encode(path);
        return submit("lstat", path, null, scratch -> Syscalls.stat(scratch, cPath, Posix.AT_SYMLINK_NOFOLLOW),
                statFirst(path, cPath, false), callback);
    }

    private Attempt<Stat> statFirst(String path, byte[] cPath, boolean followLast) {
        if (!inline.triesPathStat(path)) {
            return null;
        }
        return scratch -> {
            Stat stat = inline.statPath(scratch, cPath, followLast);
            return stat == null ? TO_POOL : stat;
        };
    }

    /** Removes a name from the file system, as {@code unlink(2)}. */
    public AioRequest<Void> unlink(String path, AioCallback<? super Void> callback) {
        byte[] cPath = NativePath.encode(path);
        return submit("unlink", path, null, scratch -> {
            Posix.unlink(cPath);
            return null;
        }, callback);
    }

    /** Makes a directory, as {@code mkdir(2)}. */
    public AioRequest<Void> mkdir(String path, int mode, AioCallback<? super Void> callback) {
        byte[] cPath = NativePath.encode(path);
        return submit("mkdir", path, null, scratch -> {
            Posix.mkdir(cPath, mode);
            return null;
        }, callback);
    }

    /** Removes an empty directory, as {@code rmdir(2)}. */
    public AioRequest<Void> rmdir(String path, AioCallback<? super Void> callback) {
        byte[] cPath = NativePath.encode(path);
        return submit("rmdir", path, null, scratch -> {
            Posix.rmdir(cPath);
            return null;
        }, callback);
    }

    /** Renames, as {@code rename(2)}. */
    public AioRequest<Void> rename(String from, String to, AioCallback<? super Void> callback) {
        byte[] cFrom = NativePath.encode(from);
        byte[] cTo = NativePath.encode(to);
        return submit("rename", from, null, scratch -> {
            Posix.rename(cFrom, cTo);
            return null;
        }, callback);
    }

    /** Flushes a file's data and metadata to the device, as {@code fsync(2)}. */
    public AioRequest<Void> fsync(AioFile file, AioCallback<? super Void> callback) {
        Objects.requireNonNull(file, "file");
        return submit("fsync", file.path(), file, scratch -> {
            Posix.fsync(file.fd());
            return null;
        }, callback);
    }

    /** Flushes a file's data to the device, as {@code fdatasync(2)}. */
    public AioRequest<Void> fdatasync(AioFile file, AioCallback<? super Void> callback) {
        Objects.requireNonNull(file, "file");
        return submit("fdatasync", file.path(), file, scratch -> {
            Posix.fdatasync(file.fd());
            return null;
        }, callback);
    }

    /** Asks the kernel to bring a range into the page cache, as {@code readahead(2)}. */
    public AioRequest<Void> readahead(AioFile file, long offset, long length, AioCallback<? super Void> callback) {
        checkRange(file, offset, length);
        return submit("readahead", file.path(), file, scratch -> {
            Posix.readahead(file.fd(), offset, length);
            return null;
        }, callback);
    }

    /** The canonical absolute path, every symbolic link resolved, as {@code realpath(3)}. */
    public AioRequest<String> realpath(String path, AioCallback<? super String> callback) {
        byte[] cPath = NativePath.encode(path);
        return submit("realpath", path, null, scratch -> Syscalls.realpath(scratch, cPath), callback);
    }

    /** The names in a directory, without "." and "..", in the order the directory gives them. */
    public AioRequest<List<String>> readdir(String path, AioCallback<? super List<String>> callback) {
        byte[] cPath = NativePath.encode(path);
        return submit("readdir", path, null, scratch -> Syscalls.readdir(cPath), callback);
    }

    /**
     * The entries of a directory with their types and inode numbers, without "." and "..", as
     * IO::AIO's {@code aio_readdirx} with {@code READDIR_DENTS}: the types come from the directory
     * itself, so telling files from directories costs no stat.
     *
     * @param flags 0 for the directory's own order, or {@link DirEntry#STAT_ORDER} or
     *              {@link DirEntry#DIRS_FIRST}
     */
    public AioRequest<List<DirEntry>> readdirx(String path, int flags, AioCallback<? super List<DirEntry>> callback) {
        byte[] cPath = NativePath.encode(path);
        checkReaddirFlags(flags);
        return submit("readdirx", path, null, scratch -> Syscalls.readdirx(cPath, flags), callback);
    }

    /**
     * As {@link #readdirx(String, int, AioCallback)}, of a directory already open: an
     * {@code O_PATH} descriptor will do, and the directory read is the one that was opened, even if
     * its path now names another.
     */
    public AioRequest<List<DirEntry>> readdirx(AioFile dir, int flags, AioCallback<? super List<DirEntry>> callback) {
        Objects.requireNonNull(dir, "dir");
        checkReaddirFlags(flags);
        return submit("readdirx", dir.path(), dir, scratch -> Syscalls.readdirx(dir, flags), callback);
    }

    private static void checkReaddirFlags(int flags) {
        if ((flags & ~DirEntry.ALL_FLAGS) != 0) {
            throw new IllegalArgumentException("unknown readdirx flags: 0x" + Integer.toHexString(flags & ~DirEntry.ALL_FLAGS));
        }
    }

    // ---------------------------------------------------------------- machinery

    private <T> AioRequest<T> submit(String call, String path, AioFile file, Request.Op<T> op,
                                     AioCallback<? super T> callback) {
        return submit(call, path, file, op, null, callback);
    }

    /**
     * Makes a request; {@code first}, if not null, is tried on this thread before the request goes
     * to a worker: its result, a final error, or {@link #TO_POOL}.
     */
    private <T> AioRequest<T> submit(String call, String path, AioFile file, Request.Op<T> op, Attempt<T> first,
                                     AioCallback<? super T> callback) {
        reserveFor(file);
        Request<T> request = new Request<>(completions, level, call, path, file, op, callback);
        if (first != null && triedHere(request, first)) {
            deliverTriedHere(request);
        } else {
            pool.submit(request);
        }
        return request;
    }

    /** What a request tries on the submitting thread: its result, or {@link #TO_POOL} if a worker must run it. */
    @FunctionalInterface
    private interface Attempt<T> {
        Object run(Scratch scratch) throws LastErrorException;
    }

    private static final Object TO_POOL = new Object();

    @SuppressWarnings("unchecked")
    private static <T> boolean triedHere(Request<T> request, Attempt<T> first) {
        Object outcome;
        try {
            outcome = first.run(Scratch.ofThisThread());
        } catch (LastErrorException finalAnswer) {
            request.fail(AioException.of(request.call, request.path, finalAnswer));
            return true;
        }
        if (outcome == TO_POOL) {
            return false;
        }
        request.succeed((T) outcome);
        return true;
    }

    /** A request completed on this thread: queued for pollCb like any other, then lets go of its file. */
    private void deliverTriedHere(Request<?> request) {
        completions.addInline(request);
        if (request.file != null) {
            request.file.release();
        }
    }

    /** Counts a request in and takes a use of its file (if any); throws, with nothing counted, if either is closed. */
    private void reserveFor(AioFile file) {
        reserve();
        if (file != null) {
            try {
                file.acquire();
            } catch (IllegalStateException closedFile) {
                completions.uncount();
                throw closedFile;
            }
        }
    }

    /** Counts a request in, or throws if this context takes no more. */
    private void reserve() {
        if (!completions.count.tryAdd()) {
            throw new IllegalStateException(this + " is closed");
        }
    }

    private static void checkRange(AioFile file, long offset, long length) {
        Objects.requireNonNull(file, "file");
        if (offset < 0) {
            throw new IllegalArgumentException("negative file offset: " + offset);
        }
        if (length < 0) {
            throw new IllegalArgumentException("negative length: " + length);
        }
        if (offset > Long.MAX_VALUE - length) {
            throw new IllegalArgumentException("offset + length overflows: " + offset + " + " + length);
        }
        if (file.isClosed()) {
            throw new IllegalStateException("file is closed: " + file);
        }
    }

    /** Whether {@link #close()} has begun: new requests throw. */
    public boolean isClosed() {
        return completions.count.isClosed();
    }

    /**
     * Refuses new requests, waits for every submitted one to finish, runs every remaining callback
     * and closes the eventfd. Afterwards {@link #nreqs()} is 0. Closing a
     * {@link #withPriority(int) priority view} closes the context it is a view of.
     *
     * <p>Callbacks run where they always do. A context made with an {@link AioPoller} is drained on
     * the poller's thread: called there, this drains at once; called anywhere else, it hands the
     * drain to the poller and blocks until it is done. A context without a poller is drained on
     * the calling thread, which should be the one that polls it. Called again, or from a callback
     * while the drain runs, it returns at once.
     */
    @Override
    public void close() {
        closeContext();
    }

    /** {@link #close()} of this context alone: the engine's own close calls it for each context. */
    final void closeContext() {
        if (base != this) {
            base.closeContext();
            return;
        }
        completions.count.close(); // new requests throw from here on
        if (poller == null || poller.inPoller()) {
            finishClose();
            return;
        }
        try {
            poller.execute(this::finishClose);
        } catch (RejectedExecutionException stopping) {
            // A poller that takes no more tasks closes its contexts itself as it stops.
        }
        boolean interrupted = false;
        for (;;) {
            try {
                closed.get();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // accepted requests must still be delivered
            } catch (ExecutionException impossible) {
                throw new IllegalStateException(impossible);
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Takes no more requests; the engine's close does this to every context before it drains any. */
    void refuseRequests() {
        completions.count.close();
    }

    /** Closes a context that never took a request and nobody watches, on the calling thread. */
    void abandonUnused() {
        completions.count.close();
        if (closing.compareAndSet(false, true)) {
            completions.closeSignal();
            shared.contexts.remove(this);
            closed.complete(null);
        }
    }

    /** On the poller (or the polling caller): drains, lets the poller stop watching, closes the fd; once. */
    private void finishClose() {
        completions.count.close();
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        try {
            completions.drain();
            if (poller != null) {
                poller.closing(this);
            }
        } finally {
            completions.closeSignal();
            shared.contexts.remove(this);
            closed.complete(null);
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(eventfd " + completions.eventFd() + ", priority " + priority + ", "
                + nreqs() + " outstanding)";
    }

}
