package io.linuxaio;

import com.sun.jna.LastErrorException;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;

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
    /** Its delivery half; package-private for tests. */
    final Completions completions;
    /** The context this one is a priority view of, or itself. */
    private final AioContext base;
    private final int priority;
    private final int level;
    /** Submits a composite request's steps: see {@link #steps()}. */
    private final boolean steps;
    /** The event loop whose thread polls this context, or null for a caller that polls it itself. */
    private final AioPoller poller;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    AioContext(Shared shared, AioPoller poller) {
        this.shared = shared;
        this.inline = shared.inline;
        this.pool = shared.pool;
        this.poller = poller;
        this.completions = new Completions(pool, shared.failures, poller, shared.inline);
        this.base = this;
        this.steps = false;
        this.priority = PRI_DEFAULT;
        this.level = PRI_MAX - PRI_DEFAULT;
    }

    private AioContext(AioContext base, int priority) {
        this(base, priority, false);
    }

    private AioContext(AioContext base, int priority, boolean steps) {
        this.steps = steps;
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
     * up to {@link #maxPollReqs(int)} results or {@link #maxPollTime(Duration)} in one call.
     * Cancelled requests are passed by here, their callbacks not run nor counted.
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

    /**
     * Requests submitted to this context and not yet delivered (a running callback's own request no
     * longer counts; a cancelled one counts until pollCb passes it by; a group counts as one).
     */
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

    /**
     * How long one {@link #pollCb()} runs callbacks at most, IO::AIO's {@code max_poll_time}; zero
     * (the default) means no limit. It is checked after each callback, so a call may run over by
     * one callback's time. Results left for later keep {@link #pollFileno()} readable and
     * {@link #pollWait()} returning, as with {@link #maxPollReqs(int)}, so an event loop comes back
     * for them after its other work.
     */
    public void maxPollTime(Duration limit) {
        Objects.requireNonNull(limit, "limit");
        if (limit.isNegative()) {
            throw new IllegalArgumentException("maxPollTime must not be negative: " + limit);
        }
        completions.maxPollTime(Durations.nanos(limit));
    }

    /**
     * Refuses new requests while {@code n} are outstanding ({@link #nreqs()}): IO::AIO's
     * {@code max_outstanding}, as a refusal rather than a wait. A request made at the limit throws
     * {@link RejectedExecutionException} in the caller and leaves no trace; 0 (the default) means
     * no limit. IO::AIO makes {@code poll_cb} block instead until fewer are outstanding, which an
     * event loop must never do: its thread is the one that delivers results, so it would wait for
     * itself, and every other channel on the loop would stall meanwhile. A refusal lets the caller
     * back off (and an {@link AioGroup} with a {@linkplain AioGroup#limit(int) limit} avoids the
     * limit in the first place, as IO::AIO advises).
     *
     * <p>{@link #close(AioFile, AioCallback) close} is never refused: it frees. The steps of a
     * composite request ({@link #copy}, {@link #rmtree}, ...) once admitted are not either.
     */
    public void maxOutstanding(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("maxOutstanding must be >= 0: " + n);
        }
        completions.count.limit(n);
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
        Request.Op<AioFile> op = scratch -> Syscalls.open(scratch, cPath, path, flags, mode);
        if (inline.triesOpen(null, path, flags)) {
            return openTriedFirst("open", path, null, cPath, flags, 0, op, OpenedFile::file, callback);
        }
        return submit("open", path, null, op, callback);
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
        Request.Op<AioFile> op = scratch -> Syscalls.openat(scratch, dir, cPath, name, flags, mode, resolve);
        if (inline.triesOpen(dir, path, flags)) {
            return openTriedFirst("openat", name, dir, cPath, flags, resolve, op, OpenedFile::file, callback);
        }
        return submit("openat", name, dir, op, callback);
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
        Request.Op<OpenedFile> op = scratch -> Syscalls.openatStat(scratch, dir, cPath, name, flags, mode, resolve);
        if (inline.triesOpen(dir, path, flags)) {
            return openTriedFirst("openat", name, dir, cPath, flags, resolve, op, opened -> opened, callback);
        }
        return submit("openat", name, dir, op, callback);
    }

    /**
     * An open for reading, tried first without waiting for the disk: made with the others of the
     * thread's batch where it has one ({@link Completions#batchOpen}), else alone, here; a worker
     * runs {@code op} if the dentry cache cannot answer. {@code as} makes the result of the file
     * and its stat.
     */
    private <T> AioRequest<T> openTriedFirst(String call, String name, AioFile dir, byte[] cPath, int flags, int resolve,
                                             Request.Op<T> op, Function<OpenedFile, T> as,
                                             AioCallback<? super T> callback) {
        reserveFor(dir);
        Request<T> request = new Request<>(completions, level, call, name, dir, op, callback);
        RingBatch.BatchedOpen<T> open = new RingBatch.BatchedOpen<>(request, dir, cPath, flags, resolve, as);
        if (!inline.batchesOpens() || !completions.batchOpen(open)) {
            open.openAlone(inline, pool);
        }
        return request;
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
        if (steps) {
            completions.count.forceAdd();
        } else if (!completions.count.tryAddBeyondLimit()) { // maxOutstanding never keeps a file open
            throw new IllegalStateException(this + " is closed");
        }
        Request<Void> close = new Request<>(completions, level, "close", file.path(), null, scratch -> {
            Posix.close(file.fd());
            return null;
        }, callback);
        close.markRuns(); // cancelling it only silences it: the descriptor must not stay open
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
            RingBatch.BatchedClose batched = new RingBatch.BatchedClose(file, close);
            if (completions.inPollCb() && inline.batchesCloses(file)) {
                completions.batch(batched); // a callback done with a file: closed with the others as pollCb ends
            } else {
                batched.closeAlone(inline);
            }
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
        boolean tried = inline.triesReads(file);
        if (tried && completions.inPollCb() && inline.batchesReads()) {
            // A callback reading on: tried with the others its pollCb's callbacks submit, as it ends.
            RingBatch.BatchedRead read = new RingBatch.BatchedRead(file, offset, dst, address, length);
            Request<Integer> request = new Request<>(completions, level, "read", file.path(), file, read, callback);
            read.request(request);
            request.markRuns(); // the kernel may write into dst once it is batched: a cancel only silences it
            completions.batch(read);
            return request;
        }
        if (tried) {
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
        return submit("readdir", path, null, scratch -> Syscalls.readdir(scratch, cPath), callback);
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
        return submit("readdirx", path, null, scratch -> Syscalls.readdirx(scratch, cPath, flags), callback);
    }

    /**
     * As {@link #readdirx(String, int, AioCallback)}, of a directory already open: an
     * {@code O_PATH} descriptor will do, and the directory read is the one that was opened, even if
     * its path now names another.
     */
    public AioRequest<List<DirEntry>> readdirx(AioFile dir, int flags, AioCallback<? super List<DirEntry>> callback) {
        Objects.requireNonNull(dir, "dir");
        checkReaddirFlags(flags);
        return submit("readdirx", dir.path(), dir, scratch -> Syscalls.readdirx(scratch, dir, flags), callback);
    }

    private static void checkReaddirFlags(int flags) {
        if ((flags & ~DirEntry.ALL_FLAGS) != 0) {
            throw new IllegalArgumentException("unknown readdirx flags: 0x" + Integer.toHexString(flags & ~DirEntry.ALL_FLAGS));
        }
    }

    // ---------------------------------------------------------------- IO::AIO's further requests

    /** {@link #allocate} mode, {@code <linux/falloc.h>}: leave the file's size as it is. */
    public static final int FALLOC_FL_KEEP_SIZE = 0x01;
    /** {@link #allocate} mode: free the range, leaving a hole that reads as zeros; needs {@link #FALLOC_FL_KEEP_SIZE}. */
    public static final int FALLOC_FL_PUNCH_HOLE = 0x02;
    /** {@link #allocate} mode: remove the range, moving what follows down, without leaving a hole. */
    public static final int FALLOC_FL_COLLAPSE_RANGE = 0x08;
    /** {@link #allocate} mode: make the range read as zeros, allocating it. */
    public static final int FALLOC_FL_ZERO_RANGE = 0x10;
    /** {@link #allocate} mode: insert a hole of the range's length at its offset, moving what follows up. */
    public static final int FALLOC_FL_INSERT_RANGE = 0x20;
    /** {@link #allocate} mode: give the range blocks of its own where they are shared with another file. */
    public static final int FALLOC_FL_UNSHARE_RANGE = 0x40;
    private static final int FALLOC_ALL = FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE | FALLOC_FL_COLLAPSE_RANGE
            | FALLOC_FL_ZERO_RANGE | FALLOC_FL_INSERT_RANGE | FALLOC_FL_UNSHARE_RANGE;

    /** {@link #syncFileRange} flag, {@code <fcntl.h>}: wait for writes of the range already under way. */
    public static final int SYNC_FILE_RANGE_WAIT_BEFORE = 1;
    /** {@link #syncFileRange} flag: start writing the range's dirty pages. */
    public static final int SYNC_FILE_RANGE_WRITE = 2;
    /** {@link #syncFileRange} flag: wait until the range's writes are done. */
    public static final int SYNC_FILE_RANGE_WAIT_AFTER = 4;
    private static final int SYNC_FILE_RANGE_ALL = SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER;

    // msync and mlockall flags: <sys/mman.h> by way of asm-generic/mman-common.h and mman.h. The
    // same on x86_64 and aarch64; architecture-dependent elsewhere (alpha, mips, parisc, powerpc,
    // sparc differ).
    /** {@link #msync} flag: schedule the writes and return. */
    public static final int MS_ASYNC = 1;
    /** {@link #msync} flag: drop other mappings' cached copies of the range. */
    public static final int MS_INVALIDATE = 2;
    /** {@link #msync} flag: write the range and wait until it is written. */
    public static final int MS_SYNC = 4;
    /** {@link #mlockall} flag: lock every page mapped now. */
    public static final int MCL_CURRENT = 1;
    /** {@link #mlockall} flag: lock every page mapped from now on. */
    public static final int MCL_FUTURE = 2;
    /** {@link #mlockall} flag, with one of the others: lock pages as they are first touched, not at once. */
    public static final int MCL_ONFAULT = 4;

    /** {@link #fiemap} flag, {@code <linux/fiemap.h>}: write the file's dirty data first, so delayed allocations have places. */
    public static final int FIEMAP_FLAG_SYNC = 1;
    /** {@link #fiemap} flag: map the file's extended attribute tree instead of its data. */
    public static final int FIEMAP_FLAG_XATTR = 2;

    /** {@code *at} flag, {@code <fcntl.h>}: act on a symbolic link itself rather than on what it names. */
    public static final int AT_SYMLINK_NOFOLLOW = Posix.AT_SYMLINK_NOFOLLOW;
    /** {@link #linkat} flag: link what a symbolic link names rather than the link itself. */
    public static final int AT_SYMLINK_FOLLOW = Posix.AT_SYMLINK_FOLLOW;
    /** {@link #unlinkat} flag: remove an empty directory, as {@code rmdir(2)}. */
    public static final int AT_REMOVEDIR = Posix.AT_REMOVEDIR;

    /** {@link #rename(String, String, int, AioCallback)} flag, {@code <linux/fs.h>}: fail with {@code EEXIST} rather than replace {@code to}. */
    public static final int RENAME_NOREPLACE = 1;
    /** {@link #rename(String, String, int, AioCallback)} flag: swap the two names, both of which must exist. */
    public static final int RENAME_EXCHANGE = 2;
    /** {@link #rename(String, String, int, AioCallback)} flag: leave a whiteout at {@code from} (overlay file systems; needs privilege). */
    public static final int RENAME_WHITEOUT = 4;

    /** A time for {@link #utime}: the current time, as the kernel reads its clock ({@code UTIME_NOW}). The value is {@link Instant#MAX}. */
    public static final Instant UTIME_NOW = Instant.MAX;
    /** A time for {@link #utime}: leave this one as it is ({@code UTIME_OMIT}). The value is {@link Instant#MIN}. */
    public static final Instant UTIME_OMIT = Instant.MIN;

    /**
     * Sends {@code length} bytes of {@code in}, from its {@code offset}, to {@code out} at
     * {@code out}'s own file position, which moves on; {@code in}'s position is neither used nor
     * moved. IO::AIO's {@code aio_sendfile}: the result is the number of bytes sent, all of them
     * unless {@code in} ended first or an error came after some went out (then the next call meets
     * it). The kernel moves at most 0x7ffff000 bytes a call, so the worker calls again until done;
     * a length past 2 GiB is one request. Where the kernel refuses the pair before anything went
     * ({@code out} opened with {@code O_APPEND}, an {@code in} that sendfile cannot read), the bytes
     * are read and written through the worker's memory instead, as IO::AIO does.
     *
     * <p>Two sendfiles to one {@code out} at once interleave at its position; give each its own
     * output or wait for one before the next, as with IO::AIO. A non-blocking socket as {@code out}
     * gives a short count, or {@code EAGAIN} if nothing went.
     *
     * @throws IllegalStateException if either file is closed; a close of either submitted later
     *     waits for this request
     */
    public AioRequest<Long> sendfile(AioFile out, AioFile in, long offset, long length, AioCallback<? super Long> callback) {
        Objects.requireNonNull(out, "out");
        checkRange(in, offset, length);
        return submitWith("sendfile", in.path(), in, out, scratch -> TransferSyscalls.sendfile(scratch, out, in, offset, length),
                callback);
    }

    /**
     * What a symbolic link holds, as {@code readlink(2)}: IO::AIO's {@code aio_readlink}. The name is
     * decoded losslessly ({@link FileNames}), so handed back it names the same file even when it is
     * not UTF-8.
     */
    public AioRequest<String> readlink(String path, AioCallback<? super String> callback) {
        byte[] cPath = NativePath.encode(path);
        return submit("readlink", path, null, scratch -> LinkSyscalls.readlink(scratch, Posix.AT_FDCWD, cPath), callback);
    }

    /**
     * What an open symbolic link holds: {@code link} opened with {@code O_PATH | O_NOFOLLOW}
     * ({@code readlinkat(fd, "")}); any other file fails with {@code ENOENT}.
     */
    public AioRequest<String> readlink(AioFile link, AioCallback<? super String> callback) {
        Objects.requireNonNull(link, "link");
        return submit("readlink", link.path(), link,
                scratch -> LinkSyscalls.readlink(scratch, link.fd(), LinkSyscalls.EMPTY_PATH), callback);
    }

    /**
     * {@link #readlink(String, AioCallback)} of a path relative to {@code dir} ({@code readlinkat(2)}); a null
     * {@code dir} is the current directory.
     */
    public AioRequest<String> readlinkat(AioFile dir, String path, AioCallback<? super String> callback) {
        byte[] cPath = NativePath.encode(path);
        String name = joinedName(dir, path);
        return submit("readlinkat", name, dir, scratch -> LinkSyscalls.readlink(scratch, dirfd(dir), cPath), callback);
    }

    /**
     * Makes {@code linkPath} a symbolic link holding {@code target}, as {@code symlink(2)}:
     * IO::AIO's {@code aio_symlink}. {@code target} is stored as it is (its bytes, see
     * {@link FileNames}), not resolved: it need not exist. Failures name {@code linkPath}.
     */
    public AioRequest<Void> symlink(String target, String linkPath, AioCallback<? super Void> callback) {
        byte[] cTarget = NativePath.encode(target);
        byte[] cLink = NativePath.encode(linkPath);
        return submit("symlink", linkPath, null, scratch -> {
            Posix.symlinkat(cTarget, Posix.AT_FDCWD, cLink);
            return null;
        }, callback);
    }

    /** {@link #symlink} with {@code linkPath} relative to {@code dir} ({@code symlinkat(2)}); a null {@code dir} is the current directory. */
    public AioRequest<Void> symlinkat(String target, AioFile dir, String linkPath, AioCallback<? super Void> callback) {
        byte[] cTarget = NativePath.encode(target);
        byte[] cLink = NativePath.encode(linkPath);
        String name = joinedName(dir, linkPath);
        return submit("symlinkat", name, dir, scratch -> {
            Posix.symlinkat(cTarget, dirfd(dir), cLink);
            return null;
        }, callback);
    }

    /**
     * Makes {@code to} another name of the file {@code from} names, as {@code link(2)}: IO::AIO's
     * {@code aio_link}. A symbolic link {@code from} is linked itself, not what it names. Failures
     * name {@code from}, as {@link #rename} does.
     */
    public AioRequest<Void> link(String from, String to, AioCallback<? super Void> callback) {
        byte[] cFrom = NativePath.encode(from);
        byte[] cTo = NativePath.encode(to);
        return submit("link", from, null, scratch -> {
            Posix.linkat(Posix.AT_FDCWD, cFrom, Posix.AT_FDCWD, cTo, 0);
            return null;
        }, callback);
    }

    /**
     * Gives an open file the name {@code to}: the way a file made with {@code O_TMPFILE} gets a
     * name once written. Done as {@code open(2)} documents it for unprivileged callers,
     * {@code linkat} of {@code /proc/self/fd/N} with {@code AT_SYMLINK_FOLLOW}, so it needs
     * {@code /proc}. A file made with {@code O_TMPFILE | O_EXCL} can never be linked
     * ({@code ENOENT}).
     */
    public AioRequest<Void> link(AioFile file, String to, AioCallback<? super Void> callback) {
        Objects.requireNonNull(file, "file");
        byte[] cTo = NativePath.encode(to);
        byte[] cProc = NativePath.encode("/proc/self/fd/" + file.fd());
        return submit("link", file.path(), file, scratch -> {
            Posix.linkat(Posix.AT_FDCWD, cProc, Posix.AT_FDCWD, cTo, Posix.AT_SYMLINK_FOLLOW);
            return null;
        }, callback);
    }

    /**
     * {@link #link(String, String, AioCallback)} with both paths relative to {@code dir}
     * ({@code linkat(2)}; an absolute path ignores it, a null {@code dir} is the current directory).
     *
     * @param flags 0, or {@link #AT_SYMLINK_FOLLOW} to link what a symbolic link {@code from} names
     */
    public AioRequest<Void> linkat(AioFile dir, String from, String to, int flags, AioCallback<? super Void> callback) {
        byte[] cFrom = NativePath.encode(from);
        byte[] cTo = NativePath.encode(to);
        checkFlags("linkat", flags, AT_SYMLINK_FOLLOW);
        String name = joinedName(dir, from);
        return submit("linkat", name, dir, scratch -> {
            Posix.linkat(dirfd(dir), cFrom, dirfd(dir), cTo, flags);
            return null;
        }, callback);
    }

    /**
     * Renames with flags, as {@code renameat2(2)}: IO::AIO's {@code aio_rename2}; flags 0 is
     * {@link #rename(String, String, AioCallback)}. A file system that cannot honour a flag fails
     * with {@code EINVAL}. Failures name {@code from}.
     *
     * @param flags {@link #RENAME_NOREPLACE}, {@link #RENAME_EXCHANGE} or {@link #RENAME_WHITEOUT}
     *              (the kernel refuses some combinations with {@code EINVAL})
     */
    public AioRequest<Void> rename(String from, String to, int flags, AioCallback<? super Void> callback) {
        return renameat(null, from, to, flags, callback);
    }

    /**
     * {@link #rename(String, String, int, AioCallback)} with both paths relative to {@code dir}
     * ({@code renameat2(2)}; an absolute path ignores it, a null {@code dir} is the current directory).
     */
    public AioRequest<Void> renameat(AioFile dir, String from, String to, int flags, AioCallback<? super Void> callback) {
        byte[] cFrom = NativePath.encode(from);
        byte[] cTo = NativePath.encode(to);
        checkFlags("rename", flags, RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT);
        String name = joinedName(dir, from);
        return submit("renameat2", name, dir, scratch -> {
            Posix.renameat2(dirfd(dir), cFrom, dirfd(dir), cTo, flags);
            return null;
        }, callback);
    }

    /**
     * Makes a FIFO, a device node, a socket's name or an empty regular file, as {@code mknod(2)}:
     * IO::AIO's {@code aio_mknod}. Device nodes need {@code CAP_MKNOD} (root outside a container
     * that drops it); without it they fail with {@code EPERM}.
     *
     * @param mode one file type, {@link Fcntl#S_IFIFO}, {@link Fcntl#S_IFCHR}, {@link Fcntl#S_IFBLK},
     *             {@link Fcntl#S_IFSOCK} or {@link Fcntl#S_IFREG} (0 is a regular file), with
     *             permission bits, such as {@code S_IFIFO | 0600}; the umask applies
     * @param dev  the device number for {@code S_IFCHR} and {@code S_IFBLK}, from
     *             {@link #makedev(int, int)} or a {@link Stat#rdev()}; ignored for the others
     * @throws IllegalArgumentException for a directory, a symbolic link, or bits beyond a type and 07777
     */
    public AioRequest<Void> mknod(String path, int mode, long dev, AioCallback<? super Void> callback) {
        byte[] cPath = NativePath.encode(path);
        checkMknodMode(mode);
        return submit("mknod", path, null, scratch -> {
            LinkSyscalls.mknod(Posix.AT_FDCWD, cPath, mode, dev);
            return null;
        }, callback);
    }

    /** {@link #mknod} of a path relative to {@code dir} ({@code mknodat(2)}); a null {@code dir} is the current directory. */
    public AioRequest<Void> mknodat(AioFile dir, String path, int mode, long dev, AioCallback<? super Void> callback) {
        byte[] cPath = NativePath.encode(path);
        checkMknodMode(mode);
        String name = joinedName(dir, path);
        return submit("mknodat", name, dir, scratch -> {
            LinkSyscalls.mknod(dirfd(dir), cPath, mode, dev);
            return null;
        }, callback);
    }

    private static void checkMknodMode(int mode) {
        int type = mode & Fcntl.S_IFMT;
        if ((mode & ~(Fcntl.S_IFMT | 07777)) != 0) {
            throw new IllegalArgumentException("mode has bits beyond a file type and 07777: 0" + Integer.toOctalString(mode));
        }
        if (type != 0 && type != Fcntl.S_IFREG && type != Fcntl.S_IFIFO && type != Fcntl.S_IFCHR && type != Fcntl.S_IFBLK
                && type != Fcntl.S_IFSOCK) {
            throw new IllegalArgumentException("mknod makes no file of type 0" + Integer.toOctalString(type)
                    + " (directories by mkdir, symbolic links by symlink)");
        }
    }

    /**
     * The device number of {@code major} and {@code minor}, as glibc's {@code makedev} (IO::AIO's
     * {@code IO::AIO::makedev}) encodes it: the form {@link Stat#rdev()} has and {@link #mknod}
     * takes. Both are unsigned 32-bit numbers.
     */
    public static long makedev(int major, int minor) {
        long ma = Integer.toUnsignedLong(major);
        long mi = Integer.toUnsignedLong(minor);
        return ((ma & 0xfffff000L) << 32) | ((ma & 0xfffL) << 8) | ((mi & 0xffffff00L) << 12) | (mi & 0xffL);
    }

    /** The major number of a device number made by {@link #makedev(int, int)}. */
    public static int major(long dev) {
        return (int) (((dev >>> 32) & 0xfffff000L) | ((dev >>> 8) & 0xfffL));
    }

    /** The minor number of a device number made by {@link #makedev(int, int)}. */
    public static int minor(long dev) {
        return (int) (((dev >>> 12) & 0xffffff00L) | (dev & 0xffL));
    }

    /** Cuts or extends a file to {@code length} bytes, as {@code truncate(2)}: IO::AIO's {@code aio_truncate}. */
    public AioRequest<Void> truncate(String path, long length, AioCallback<? super Void> callback) {
        byte[] cPath = NativePath.encode(path);
        checkLength(length);
        return submit("truncate", path, null, scratch -> {
            Posix.truncate(cPath, length);
            return null;
        }, callback);
    }

    /** Cuts or extends an open file, as {@code ftruncate(2)}: IO::AIO's {@code aio_truncate} of a handle. */
    public AioRequest<Void> truncate(AioFile file, long length, AioCallback<? super Void> callback) {
        Objects.requireNonNull(file, "file");
        checkLength(length);
        return submit("ftruncate", file.path(), file, scratch -> {
            Posix.ftruncate(file.fd(), length);
            return null;
        }, callback);
    }

    /**
     * Allocates or frees the disk space of a range, as {@code fallocate(2)}: IO::AIO's
     * {@code aio_allocate}. Mode 0 allocates (the file grows if the range passes its end),
     * {@link #FALLOC_FL_KEEP_SIZE} allocates without growing it,
     * {@code FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE} frees the range. A file system that cannot
     * do a mode fails with {@code EOPNOTSUPP}, a combination the kernel refuses with {@code EINVAL}.
     *
     * @param mode {@code FALLOC_FL_*} bits; others are refused
     * @param length more than 0
     */
    public AioRequest<Void> allocate(AioFile file, int mode, long offset, long length, AioCallback<? super Void> callback) {
        checkRange(file, offset, length);
        if (length == 0) {
            throw new IllegalArgumentException("allocate of an empty range");
        }
        checkFlags("allocate mode", mode, FALLOC_ALL);
        return submit("fallocate", file.path(), file, scratch -> {
            Posix.fallocate(file.fd(), mode, offset, length);
            return null;
        }, callback);
    }

    /** Sets a file's permission bits, as {@code chmod(2)}: IO::AIO's {@code aio_chmod}. */
    public AioRequest<Void> chmod(String path, int mode, AioCallback<? super Void> callback) {
        byte[] cPath = NativePath.encode(path);
        checkMode(mode);
        return submit("chmod", path, null, scratch -> {
            Posix.fchmodat(Posix.AT_FDCWD, cPath, mode, 0);
            return null;
        }, callback);
    }

    /** Sets an open file's permission bits, as {@code fchmod(2)}. */
    public AioRequest<Void> chmod(AioFile file, int mode, AioCallback<? super Void> callback) {
        Objects.requireNonNull(file, "file");
        checkMode(mode);
        return submit("fchmod", file.path(), file, scratch -> {
            Posix.fchmod(file.fd(), mode);
            return null;
        }, callback);
    }

    /**
     * {@link #chmod(String, int, AioCallback)} of a path relative to {@code dir} ({@code fchmodat(2)}); a null
     * {@code dir} is the current directory.
     */
    public AioRequest<Void> chmodat(AioFile dir, String path, int mode, AioCallback<? super Void> callback) {
        byte[] cPath = NativePath.encode(path);
        checkMode(mode);
        String name = joinedName(dir, path);
        return submit("fchmodat", name, dir, scratch -> {
            Posix.fchmodat(dirfd(dir), cPath, mode, 0);
            return null;
        }, callback);
    }

    /**
     * Sets a file's owner and group, as {@code chown(2)}: IO::AIO's {@code aio_chown}. Changing the
     * owner needs privilege ({@code EPERM} otherwise).
     *
     * @param uid the new owner, or -1 to leave it
     * @param gid the new group, or -1 to leave it
     */
    public AioRequest<Void> chown(String path, long uid, long gid, AioCallback<? super Void> callback) {
        byte[] cPath = NativePath.encode(path);
        checkIds(uid, gid);
        return submit("chown", path, null, scratch -> {
            Posix.fchownat(Posix.AT_FDCWD, cPath, (int) uid, (int) gid, 0);
            return null;
        }, callback);
    }

    /** Sets an open file's owner and group, as {@code fchown(2)}; -1 leaves one as it is. */
    public AioRequest<Void> chown(AioFile file, long uid, long gid, AioCallback<? super Void> callback) {
        Objects.requireNonNull(file, "file");
        checkIds(uid, gid);
        return submit("fchown", file.path(), file, scratch -> {
            Posix.fchown(file.fd(), (int) uid, (int) gid);
            return null;
        }, callback);
    }

    /**
     * {@link #chown(String, long, long, AioCallback)} of a path relative to {@code dir}
     * ({@code fchownat(2)}); a null {@code dir} is the current directory.
     *
     * @param flags 0, or {@link #AT_SYMLINK_NOFOLLOW} to change a symbolic link itself ({@code lchown})
     */
    public AioRequest<Void> chownat(AioFile dir, String path, long uid, long gid, int flags, AioCallback<? super Void> callback) {
        byte[] cPath = NativePath.encode(path);
        checkIds(uid, gid);
        checkFlags("chownat", flags, AT_SYMLINK_NOFOLLOW);
        String name = joinedName(dir, path);
        return submit("fchownat", name, dir, scratch -> {
            Posix.fchownat(dirfd(dir), cPath, (int) uid, (int) gid, flags);
            return null;
        }, callback);
    }

    /**
     * Sets a file's access and modification times to the nanosecond, as {@code utimensat(2)}:
     * IO::AIO's {@code aio_utime}. Either time may be {@link #UTIME_NOW} or {@link #UTIME_OMIT};
     * both {@code UTIME_NOW} is {@code touch}. The file system may round a time to its own
     * granularity.
     */
    public AioRequest<Void> utime(String path, Instant atime, Instant mtime, AioCallback<? super Void> callback) {
        byte[] cPath = NativePath.encode(path);
        long[] times = timespecs(atime, mtime);
        return submit("utimensat", path, null, scratch -> {
            AttributeSyscalls.utime(scratch, Posix.AT_FDCWD, cPath, times, 0);
            return null;
        }, callback);
    }

    /** Sets an open file's times, as {@code futimens(3)}; see {@link #utime(String, Instant, Instant, AioCallback)}. */
    public AioRequest<Void> utime(AioFile file, Instant atime, Instant mtime, AioCallback<? super Void> callback) {
        Objects.requireNonNull(file, "file");
        long[] times = timespecs(atime, mtime);
        return submit("futimens", file.path(), file, scratch -> {
            AttributeSyscalls.utime(scratch, file.fd(), null, times, 0);
            return null;
        }, callback);
    }

    /**
     * {@link #utime(String, Instant, Instant, AioCallback)} of a path relative to {@code dir}
     * ({@code utimensat(2)}); a null {@code dir} is the current directory.
     *
     * @param flags 0, or {@link #AT_SYMLINK_NOFOLLOW} to set a symbolic link's own times
     */
    public AioRequest<Void> utimeat(AioFile dir, String path, Instant atime, Instant mtime, int flags,
                                    AioCallback<? super Void> callback) {
        byte[] cPath = NativePath.encode(path);
        long[] times = timespecs(atime, mtime);
        checkFlags("utimeat", flags, AT_SYMLINK_NOFOLLOW);
        String name = joinedName(dir, path);
        return submit("utimensat", name, dir, scratch -> {
            AttributeSyscalls.utime(scratch, dirfd(dir), cPath, times, flags);
            return null;
        }, callback);
    }

    /** {@code UTIME_NOW} and {@code UTIME_OMIT} of {@code <sys/stat.h>}: tv_nsec values, the same everywhere. */
    private static final long UTIME_NOW_NSEC = (1L << 30) - 1, UTIME_OMIT_NSEC = (1L << 30) - 2;

    /** {atime seconds, nanoseconds, mtime seconds, nanoseconds}, as two struct timespec hold them. */
    private static long[] timespecs(Instant atime, Instant mtime) {
        Objects.requireNonNull(atime, "atime (UTIME_NOW or UTIME_OMIT for the current time or none)");
        Objects.requireNonNull(mtime, "mtime (UTIME_NOW or UTIME_OMIT for the current time or none)");
        return new long[] {seconds(atime), nanos(atime), seconds(mtime), nanos(mtime)};
    }

    private static long seconds(Instant time) {
        return time.equals(UTIME_NOW) || time.equals(UTIME_OMIT) ? 0 : time.getEpochSecond();
    }

    private static long nanos(Instant time) {
        return time.equals(UTIME_NOW) ? UTIME_NOW_NSEC : time.equals(UTIME_OMIT) ? UTIME_OMIT_NSEC : time.getNano();
    }

    /** What the file system holding {@code path} has room for, as {@code statvfs(3)}: IO::AIO's {@code aio_statvfs}. */
    public AioRequest<StatVfs> statvfs(String path, AioCallback<? super StatVfs> callback) {
        byte[] cPath = NativePath.encode(path);
        return submit("statvfs", path, null, scratch -> SpaceSyscalls.statvfs(scratch, -1, cPath), callback);
    }

    /** {@link #statvfs(String, AioCallback)} of the file system holding an open file ({@code fstatvfs(3)}); an {@code O_PATH} descriptor will do. */
    public AioRequest<StatVfs> statvfs(AioFile file, AioCallback<? super StatVfs> callback) {
        Objects.requireNonNull(file, "file");
        return submit("fstatvfs", file.path(), file, scratch -> SpaceSyscalls.statvfs(scratch, file.fd(), null), callback);
    }

    /** Writes every file system's dirty data and metadata, as {@code sync(2)}: IO::AIO's {@code aio_sync}. It cannot fail. */
    public AioRequest<Void> sync(AioCallback<? super Void> callback) {
        return submit("sync", null, null, scratch -> {
            Posix.sync();
            return null;
        }, callback);
    }

    /** Writes the dirty data and metadata of the file system holding {@code file}, as {@code syncfs(2)}: IO::AIO's {@code aio_syncfs}. */
    public AioRequest<Void> syncfs(AioFile file, AioCallback<? super Void> callback) {
        Objects.requireNonNull(file, "file");
        return submit("syncfs", file.path(), file, scratch -> {
            Posix.syncfs(file.fd());
            return null;
        }, callback);
    }

    /**
     * Opens {@code path} read-only, fsyncs it and closes it, in one trip: IO::AIO's
     * {@code aio_pathsync}, for making a directory's changes (a rename, a new file) durable. Works
     * on anything that opens read-only, directories included. The open does not wait for a FIFO's
     * writer (it is non-blocking), so a FIFO fails at the fsync with {@code EINVAL} rather than
     * holding a worker.
     */
    public AioRequest<Void> pathsync(String path, AioCallback<? super Void> callback) {
        byte[] cPath = NativePath.encode(path);
        return submit("pathsync", path, null, scratch -> {
            SyncSyscalls.pathsync(cPath);
            return null;
        }, callback);
    }

    /**
     * Starts or waits for the writing of a range of a file's data (not its metadata), as
     * {@code sync_file_range(2)}: IO::AIO's {@code aio_sync_file_range}. Unlike IO::AIO, nothing
     * falls back to fdatasync: Linux has had the call since 2.6.17.
     *
     * @param nbytes the range's length; 0 reaches to the end of the file
     * @param flags {@code SYNC_FILE_RANGE_*} bits; others are refused
     */
    public AioRequest<Void> syncFileRange(AioFile file, long offset, long nbytes, int flags, AioCallback<? super Void> callback) {
        checkRange(file, offset, nbytes);
        checkFlags("syncFileRange", flags, SYNC_FILE_RANGE_ALL);
        return submit("sync_file_range", file.path(), file, scratch -> {
            Posix.sync_file_range(file.fd(), offset, nbytes, flags);
            return null;
        }, callback);
    }

    /**
     * Writes the dirty pages of a mapped file's range back to it, as {@code msync(2)}: IO::AIO's
     * {@code aio_msync}. The range is {@code buffer}'s bytes {@code [offset, offset + length)}
     * (absolute, position and limit play no part), widened to whole pages. {@code buffer} is
     * normally a {@link java.nio.MappedByteBuffer} from {@code FileChannel.map}; any other direct
     * buffer is anonymous memory, where there is nothing to write. Keep {@code buffer} reachable
     * until the callback has run.
     *
     * @param flags {@link #MS_SYNC} or {@link #MS_ASYNC}, optionally with {@link #MS_INVALIDATE}
     * @throws IllegalArgumentException for a heap buffer, or flags other than those
     * @throws IndexOutOfBoundsException for a range outside the buffer's capacity
     */
    public AioRequest<Void> msync(ByteBuffer buffer, int offset, int length, int flags, AioCallback<? super Void> callback) {
        long[] pages = MemorySyscalls.pages(buffer, offset, length);
        checkFlags("msync", flags, MS_ASYNC | MS_INVALIDATE | MS_SYNC);
        if ((flags & (MS_ASYNC | MS_SYNC)) == (MS_ASYNC | MS_SYNC)) {
            throw new IllegalArgumentException("msync takes MS_SYNC or MS_ASYNC, not both");
        }
        return submit("msync", null, null, scratch -> {
            MemorySyscalls.msync(buffer, pages, flags);
            return null;
        }, callback);
    }

    /**
     * Reads the pages of {@code buffer[offset, offset + length)} into memory (from the file, for a
     * mapped one) and locks them there, as {@code mlock(2)}: IO::AIO's {@code aio_mlock}. Ranges as
     * {@link #msync}. Locked memory is limited by {@code RLIMIT_MEMLOCK} unless the process has
     * {@code CAP_IPC_LOCK} ({@code ENOMEM} or {@code EPERM} then). Undo with {@link #munlock}.
     */
    public AioRequest<Void> mlock(ByteBuffer buffer, int offset, int length, AioCallback<? super Void> callback) {
        long[] pages = MemorySyscalls.pages(buffer, offset, length);
        return submit("mlock", null, null, scratch -> {
            MemorySyscalls.mlock(buffer, pages);
            return null;
        }, callback);
    }

    /**
     * Unlocks what {@link #mlock} locked, on the calling thread: IO::AIO's {@code IO::AIO::munlock},
     * which is synchronous too (it never waits for a disk).
     *
     * @throws AioException if the kernel refuses
     */
    public static void munlock(ByteBuffer buffer, int offset, int length) throws AioException {
        long[] pages = MemorySyscalls.pages(buffer, offset, length);
        try {
            MemorySyscalls.munlock(buffer, pages);
        } catch (LastErrorException e) {
            throw AioException.of("munlock", null, e);
        }
    }

    /**
     * Locks every page of the process into memory, as {@code mlockall(2)}: IO::AIO's
     * {@code aio_mlockall}. For a JVM that is the whole reserved heap: {@code MCL_CURRENT} alone
     * reads it all in, so {@code MCL_CURRENT | MCL_ONFAULT} is usually what is meant. Undo with
     * {@link #munlockall()}.
     *
     * @param flags {@link #MCL_CURRENT} and/or {@link #MCL_FUTURE}, optionally with {@link #MCL_ONFAULT}
     */
    public AioRequest<Void> mlockall(int flags, AioCallback<? super Void> callback) {
        checkFlags("mlockall", flags, MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT);
        if ((flags & (MCL_CURRENT | MCL_FUTURE)) == 0) {
            throw new IllegalArgumentException("mlockall needs MCL_CURRENT or MCL_FUTURE: 0x" + Integer.toHexString(flags));
        }
        return submit("mlockall", null, null, scratch -> {
            Posix.mlockall(flags);
            return null;
        }, callback);
    }

    /**
     * Unlocks every page of the process, on the calling thread: IO::AIO's
     * {@code IO::AIO::munlockall}, synchronous there too.
     *
     * @throws AioException if the kernel refuses
     */
    public static void munlockall() throws AioException {
        try {
            Posix.munlockall();
        } catch (LastErrorException e) {
            throw AioException.of("munlockall", null, e);
        }
    }

    /**
     * The extents of a range of a file, as the {@code FS_IOC_FIEMAP} ioctl reports them: IO::AIO's
     * {@code aio_fiemap} with an undefined count, so every extent of the range, in order, the
     * first one possibly starting before {@code start}. Holes are where no extent is. The kernel
     * reports a bounded number of extents a call; the worker calls again from the last one's end
     * until the range is covered, as IO::AIO does. A file system without FIEMAP (tmpfs) fails with
     * {@code EOPNOTSUPP}.
     *
     * @param flags 0, {@link #FIEMAP_FLAG_SYNC} (usually wanted: without it, data not yet written
     *              shows as {@link Extent#FIEMAP_EXTENT_DELALLOC} or not at all) and/or
     *              {@link #FIEMAP_FLAG_XATTR}
     */
    public AioRequest<List<Extent>> fiemap(AioFile file, long start, long length, int flags,
                                           AioCallback<? super List<Extent>> callback) {
        checkRange(file, start, length);
        checkFlags("fiemap", flags, FIEMAP_FLAG_SYNC | FIEMAP_FLAG_XATTR);
        return submit("fiemap", file.path(), file, scratch -> SpaceSyscalls.fiemap(scratch, file.fd(), start, start + length, flags),
                callback);
    }

    /** {@link #fiemap(AioFile, long, long, int, AioCallback)} of the whole file. */
    public AioRequest<List<Extent>> fiemap(AioFile file, int flags, AioCallback<? super List<Extent>> callback) {
        return fiemap(file, 0, Long.MAX_VALUE, flags, callback);
    }

    /**
     * Moves an open file's position, as {@code lseek(2)}: IO::AIO's {@code aio_seek}; the result is
     * the new position. With {@link Fcntl#SEEK_DATA} or {@link Fcntl#SEEK_HOLE} it finds the next
     * data or hole at or after {@code offset} (the end of the file counts as a hole; past the last
     * data, {@code SEEK_DATA} fails with {@code ENXIO}). The position belongs to the open file:
     * {@link #read} and {@link #write} take offsets and leave it alone; {@link #sendfile} writes at
     * its output's.
     *
     * @param whence {@link Fcntl#SEEK_SET}, {@code SEEK_CUR}, {@code SEEK_END}, {@code SEEK_DATA} or {@code SEEK_HOLE}
     * @param offset from where {@code whence} says; may be negative only for {@code SEEK_CUR} and {@code SEEK_END}
     */
    public AioRequest<Long> seek(AioFile file, long offset, int whence, AioCallback<? super Long> callback) {
        Objects.requireNonNull(file, "file");
        if (whence < Fcntl.SEEK_SET || whence > Fcntl.SEEK_HOLE) {
            throw new IllegalArgumentException("unknown whence: " + whence);
        }
        if (offset < 0 && whence != Fcntl.SEEK_CUR && whence != Fcntl.SEEK_END) {
            throw new IllegalArgumentException("negative offset: " + offset);
        }
        return submit("lseek", file.path(), file, scratch -> Posix.lseek(file.fd(), offset, whence), callback);
    }

    /**
     * Opens, reads and closes a whole file: IO::AIO's {@code aio_slurp} of a whole file, into a new
     * array. A file that holds more than {@code maxLength} bytes fails with {@code EFBIG} and
     * nothing is kept: the bound is yours to choose, so a file larger than expected cannot take
     * the heap. The array is sized by the file's size, not by {@code maxLength}; files whose size
     * says 0 but which hold bytes ({@code /proc}) are read all the same. A FIFO is read as it is
     * written, to its end: the worker waits for its writer, as IO::AIO's does.
     *
     * @param maxLength the most bytes to accept, at most {@code Integer.MAX_VALUE - 9}
     */
    public AioRequest<byte[]> slurp(String path, int maxLength, AioCallback<? super byte[]> callback) {
        byte[] cPath = NativePath.encode(path);
        checkSlurpLength(maxLength);
        return submit("slurp", path, null,
                scratch -> TransferSyscalls.slurp(scratch, Posix.AT_FDCWD, cPath, 0, maxLength, true), callback);
    }

    /**
     * Opens, reads and closes a range of a file: IO::AIO's {@code aio_slurp} with an offset and a
     * length. The array holds {@code length} bytes, fewer only if the file ends first.
     */
    public AioRequest<byte[]> slurp(String path, long offset, int length, AioCallback<? super byte[]> callback) {
        byte[] cPath = NativePath.encode(path);
        checkSlurpRange(offset, length);
        return submit("slurp", path, null,
                scratch -> TransferSyscalls.slurp(scratch, Posix.AT_FDCWD, cPath, offset, length, false), callback);
    }

    /** {@link #slurp(String, long, int, AioCallback)} of an open file: its range into a new array. */
    public AioRequest<byte[]> slurp(AioFile file, long offset, int length, AioCallback<? super byte[]> callback) {
        Objects.requireNonNull(file, "file");
        checkSlurpRange(offset, length);
        return submit("slurp", file.path(), file,
                scratch -> TransferSyscalls.slurp(scratch, file.fd(), offset, length, false), callback);
    }

    /** {@link #slurp(String, int, AioCallback)} of a path relative to {@code dir}; a null {@code dir} is the current directory. */
    public AioRequest<byte[]> slurpat(AioFile dir, String path, int maxLength, AioCallback<? super byte[]> callback) {
        byte[] cPath = NativePath.encode(path);
        checkSlurpLength(maxLength);
        String name = joinedName(dir, path);
        return submit("slurp", name, dir, scratch -> TransferSyscalls.slurp(scratch, dirfd(dir), cPath, 0, maxLength, true),
                callback);
    }

    private static void checkSlurpLength(int length) {
        if (length < 0 || length > TransferSyscalls.MAX_ARRAY) {
            throw new IllegalArgumentException("slurp length must be from 0 to " + TransferSyscalls.MAX_ARRAY + ": " + length);
        }
    }

    private static void checkSlurpRange(long offset, int length) {
        checkSlurpLength(length);
        if (offset < 0) {
            throw new IllegalArgumentException("negative file offset: " + offset);
        }
        if (offset > Long.MAX_VALUE - length) {
            throw new IllegalArgumentException("offset + length overflows: " + offset + " + " + length);
        }
    }

    /**
     * Does nothing, on a worker: IO::AIO's {@code aio_nop}. It waits its turn in the queue like any
     * request, so its callback runs once every request queued before it (at its priority or a
     * higher one) was taken by a worker: for measuring a request's cost, or as a marker.
     */
    public AioRequest<Void> nop(AioCallback<? super Void> callback) {
        return submit("nop", null, null, scratch -> null, callback);
    }

    /**
     * Keeps a worker asleep for {@code delay}: IO::AIO's {@code IO::AIO::aio_busy}, for tests and
     * benchmarks that need a busy pool. The worker is taken from every other request meanwhile.
     *
     * @throws IllegalArgumentException for a negative delay
     */
    public AioRequest<Void> busy(Duration delay, AioCallback<? super Void> callback) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("negative delay: " + delay);
        }
        long nanos = Durations.nanos(delay);
        return submit("busy", null, null, scratch -> {
            long deadline = System.nanoTime() + nanos;
            boolean interrupted = false;
            for (long left = nanos; left > 0; left = deadline - System.nanoTime()) {
                LockSupport.parkNanos(left); // wakes early on an unpark or interrupt: sleep on
                interrupted |= Thread.interrupted(); // a pending interrupt would make every park return at once
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return null;
        }, callback);
    }

    /**
     * Removes a name relative to {@code dir}, as {@code unlinkat(2)}: IO::AIO's {@code aio_unlink}
     * (or, with {@link #AT_REMOVEDIR}, {@code aio_rmdir}) of a path relative to an
     * {@code IO::AIO::WD}. A symbolic link is removed itself, never what it names. A null
     * {@code dir} is the current directory; an absolute path ignores it.
     *
     * @param flags 0 to remove anything but a directory (a directory fails with {@code EISDIR}),
     *              or {@link #AT_REMOVEDIR} to remove an empty directory
     */
    public AioRequest<Void> unlinkat(AioFile dir, String path, int flags, AioCallback<? super Void> callback) {
        byte[] cPath = NativePath.encode(path);
        checkFlags("unlinkat", flags, AT_REMOVEDIR);
        String name = joinedName(dir, path);
        return submit(flags == 0 ? "unlinkat" : "rmdir", name, dir, scratch -> {
            Posix.unlinkat(dirfd(dir), cPath, flags);
            return null;
        }, callback);
    }

    // ---------------------------------------------------------------- groups and composite requests

    /**
     * A new, empty group: IO::AIO's {@code aio_group}, a request that completes once every member
     * added to it has (see {@link AioGroup}). Its callback runs after its last member's, with the
     * result set by {@link AioGroup#result} (null by default) or the error set by
     * {@link AioGroup#fail}; cancelling it cancels its members, and then its callback does not run.
     * It counts in {@link #nreqs()} until then.
     */
    public <T> AioGroup<T> group(AioCallback<? super T> callback) {
        return queued(newGroup(callback));
    }

    /** A group counted in and not yet queued: a composite adds its first step before a pollCb can see it empty. */
    private <T> Group<T> newGroup(AioCallback<? super T> callback) {
        reserve();
        return new Group<>(completions, level, callback);
    }

    /** A composite request: a group, its first step added before it is queued, so no pollCb sees it empty. */
    private <T> AioRequest<T> composite(AioCallback<? super T> callback, java.util.function.Consumer<Group<T>> firstStep) {
        Group<T> group = newGroup(callback);
        firstStep.accept(group);
        return queued(group);
    }

    /** Queues a group for pollCb, which finishes it once it has no member outstanding. */
    private <T> Group<T> queued(Group<T> group) {
        completions.addInline(group);
        return group;
    }

    /**
     * Copies a file's contents, permission bits, owner and times to {@code to}, as IO::AIO's
     * {@code aio_copy}: a group that opens {@code from}, opens (creating it with mode 0200) and
     * truncates {@code to}, moves the bytes with {@link #sendfile} (the kernel copies them, no
     * buffer of ours in between), then sets {@code to}'s times to the nanosecond, its owner and
     * group (a failure there, {@code EPERM} for anyone but root, is ignored, as IO::AIO does),
     * its permission bits, and closes both. Directories cannot be copied ({@code EISDIR}); a
     * {@code to} that names the file {@code from} does fails with {@code EINVAL} before anything
     * is written, where IO::AIO would truncate it. On an error after {@code to} was opened, the
     * partial {@code to} is removed. A cancelled copy closes what it opened and may leave a partial
     * {@code to} behind, as IO::AIO's does.
     *
     * <p>Its steps run at this context's priority. Once admitted, a copy runs to its end even if
     * the context begins to close meanwhile, and its steps are not refused by
     * {@link #maxOutstanding(int)}: they are one request.
     */
    public AioRequest<Void> copy(String from, String to, AioCallback<? super Void> callback) {
        byte[] cFrom = NativePath.encode(from);
        byte[] cTo = NativePath.encode(to);
        return composite(callback, group -> FileCopy.copy(steps(), group, from, cFrom, to, cTo));
    }

    /**
     * Moves a file, as IO::AIO's {@code aio_move}: {@link #rename} it, or where that fails with
     * {@code EXDEV} ({@code to} is on another file system), {@link #copy} it and then
     * {@link #unlink} {@code from}. Only files move across file systems; a directory there fails
     * with {@code EISDIR}. If the copy fails, {@code from} is left as it was.
     */
    public AioRequest<Void> move(String from, String to, AioCallback<? super Void> callback) {
        byte[] cFrom = NativePath.encode(from);
        byte[] cTo = NativePath.encode(to);
        return composite(callback, group -> FileCopy.move(steps(), group, from, cFrom, to, cTo));
    }

    /**
     * Removes a directory and everything beneath it, as IO::AIO's {@code aio_rmtree}, without ever
     * leaving the tree: each directory is opened with {@code O_NOFOLLOW} relative to its parent's
     * descriptor and its entries are removed with {@link #unlinkat} relative to its own, so a
     * symbolic link is removed, never followed, and a directory swapped for a link meanwhile is
     * not entered. Types come from the directory entries; a name the file system did not type is
     * unlinked, and entered only if the kernel says it is a directory ({@code EISDIR}). Up to four
     * names of a directory are removed at once and its subdirectories one after another, so at
     * most one descriptor is open per level of the tree.
     *
     * <p>A {@code path} that is not a directory, a symbolic link to one included, fails with
     * {@code ENOTDIR} and is left alone. An entry that cannot be removed does not stop the rest;
     * the callback gets the first error (IO::AIO reports only its final rmdir's). Cancelling stops
     * it between steps and closes what it opened.
     */
    public AioRequest<Void> rmtree(String path, AioCallback<? super Void> callback) {
        byte[] cPath = NativePath.encode(path);
        return composite(callback, group -> RemoveTree.start(steps(), group, path, cPath));
    }

    /**
     * The names in a directory, split into those you can descend into (directories) and the rest
     * (files, and symbolic links even to directories), as IO::AIO's {@code aio_scandir}. The types
     * come from {@link #readdirx}; only names whose type the file system did not record are
     * {@link #lstat}'ed, at most {@code maxreq} at once. Names are in {@link DirEntry#DIRS_FIRST}
     * order and decoded losslessly. The directory itself is followed if {@code path} is a link.
     *
     * @param maxreq how many lstats may be outstanding at once; 0 or less means 4, as in IO::AIO
     */
    public AioRequest<DirectoryScan> scandir(String path, int maxreq, AioCallback<? super DirectoryScan> callback) {
        NativePath.encode(path);
        return composite(callback, group -> ScanDirectory.start(steps(), group, path, maxreq <= 0 ? 4 : maxreq));
    }

    /**
     * This context, at this priority, for a composite request's own steps: counted in even while
     * the context closes or has {@link #maxOutstanding(int)} outstanding, since the composite they
     * belong to was admitted and is still counted.
     */
    AioContext steps() {
        return new AioContext(base, priority, true);
    }

    /** A request of a composite: {@code op} on a worker, as every other request. */
    <T> AioRequest<T> internal(String call, String path, AioFile file, Request.Op<T> op, AioCallback<? super T> callback) {
        return submit(call, path, file, op, callback);
    }

    /** The descriptor a {@code *at} call is relative to: the directory's, or the current directory's. */
    private static int dirfd(AioFile dir) {
        return dir == null ? Posix.AT_FDCWD : dir.fd();
    }

    private static void checkFlags(String what, int flags, int known) {
        if ((flags & ~known) != 0) {
            throw new IllegalArgumentException("unknown " + what + " flags: 0x" + Integer.toHexString(flags & ~known));
        }
    }

    private static void checkMode(int mode) {
        if ((mode & ~07777) != 0) {
            throw new IllegalArgumentException("mode has bits beyond 07777: 0" + Integer.toOctalString(mode));
        }
    }

    private static void checkLength(long length) {
        if (length < 0) {
            throw new IllegalArgumentException("negative length: " + length);
        }
    }

    /** uid_t and gid_t are unsigned 32-bit; -1 (all ones) means "leave it". */
    private static void checkIds(long uid, long gid) {
        if (uid < -1 || uid > 0xffffffffL) {
            throw new IllegalArgumentException("uid out of range: " + uid);
        }
        if (gid < -1 || gid > 0xffffffffL) {
            throw new IllegalArgumentException("gid out of range: " + gid);
        }
    }

    /** {@link #submit}, with a second open file held as the first is, for the request's whole life. */
    private <T> AioRequest<T> submitWith(String call, String path, AioFile file, AioFile second, Request.Op<T> op,
                                         AioCallback<? super T> callback) {
        reserve();
        try {
            file.acquire();
        } catch (IllegalStateException closedFile) {
            completions.uncount();
            throw closedFile;
        }
        try {
            second.acquire();
        } catch (IllegalStateException closedFile) {
            file.release(); // nothing ran on it: a close waiting for this release runs its close here
            completions.uncount();
            throw closedFile;
        }
        Request<T> request = new Request<>(completions, level, call, path, file, op, callback);
        request.second = second;
        pool.submit(request);
        return request;
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
        request.markRuns();
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

    /** Counts a request in, or throws if this context takes no more, or none now (maxOutstanding). */
    private void reserve() {
        if (steps) {
            completions.count.forceAdd();
        } else if (!completions.count.tryAdd()) {
            if (completions.count.isClosed()) {
                throw new IllegalStateException(this + " is closed");
            }
            throw new RejectedExecutionException(this + ": maxOutstanding reached");
        }
    }

    static void checkRange(AioFile file, long offset, long length) {
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
