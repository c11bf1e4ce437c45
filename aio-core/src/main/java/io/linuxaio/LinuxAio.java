package io.linuxaio;

import com.sun.jna.LastErrorException;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * The engine: a pool of worker threads that run blocking file system calls, and the default
 * completion context (see {@link AioContext}) whose eventfd signals their completions. The Java form
 * of Perl's {@code Linux::AIO}:
 *
 * <pre>{@code
 * try (LinuxAio aio = new LinuxAio()) {
 *     aio.open("/etc/hostname", Fcntl.O_RDONLY, 0, (file, err) -> { ... });
 *     while (aio.nreqs() > 0) { aio.pollWait(); aio.pollCb(); }
 * }
 * }</pre>
 *
 * <p>Workers are daemon platform threads named {@code aio-worker-N}. They start on demand, up to
 * {@link #maxParallel(int) maxParallel} (default {@value #DEFAULT_MAX_PARALLEL}): the first eight
 * as soon as a request finds no worker idle, more only while requests have
 * waited over a millisecond because workers sleep in the kernel (a thread named
 * {@code aio-pool-monitor} looks once a millisecond while requests wait). So page-cached work keeps
 * the pool small even on a saturated CPU, where more threads would only take turns on the same
 * cores, and a slow disk grows it until requests stop waiting: a request that blocks on the disk
 * then holds up no one. {@link #minParallel(int) minParallel} workers
 * (default {@value #DEFAULT_MIN_PARALLEL}) stay alive, and idle ones above that retire after
 * {@link #idleTimeout(Duration) idleTimeout} (default 10 seconds).
 *
 * <p>Requests wait in one queue per priority (see {@link AioContext#withPriority(int)}); workers
 * take the oldest request of the highest priority first.
 *
 * <p>{@link #newContext()} opens further completion contexts served by the same workers, one per
 * event loop, so that each loop's callbacks run on that loop; {@link #newContext(AioPoller)} keeps
 * a context's callbacks on its loop even while it closes.
 *
 * <p>{@link #close()} refuses new requests, finishes every queued and running one, runs every
 * remaining callback, stops the workers and closes every fd. An engine the program never closed is
 * closed the same way at JVM exit, so no accepted write is lost. All methods are thread-safe.
 */
public final class LinuxAio extends AioContext {
    public static final int DEFAULT_MIN_PARALLEL = 1;
    /** Enough for a server with a hundred slow downloads at once; cached work never starts that many. */
    public static final int DEFAULT_MAX_PARALLEL = 256;
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(10);

    private final Shared shared;
    /** Package-private so a test can see whether it is registered. */
    final Thread exitHook = new Thread(this::close, "aio-exit-drain");
    private volatile boolean closed;

    /**
     * Starts an engine with the default pool settings and {@code minParallel} workers running.
     *
     * @throws UnsupportedOperationException on a CPU architecture other than x86_64 and aarch64,
     *         whose open flags, system call numbers and struct layouts the engine does not know
     */
    public LinuxAio() {
        this(newShared());
    }

    private static Shared newShared() {
        Arch.host(); // before anything reaches the kernel with another CPU's values
        return new Shared(new WorkerPool(DEFAULT_MIN_PARALLEL, DEFAULT_MAX_PARALLEL, DEFAULT_IDLE_TIMEOUT.toNanos()));
    }

    private LinuxAio(Shared shared) {
        super(shared, null);
        this.shared = shared;
        pool.setMin(DEFAULT_MIN_PARALLEL);
        Runtime.getRuntime().addShutdownHook(exitHook);
    }

    /**
     * Opens another completion context with its own result queue and eventfd, served by this
     * engine's workers, for a caller that polls it itself (and closes it there).
     */
    public AioContext newContext() {
        checkOpen();
        return register(new AioContext(shared, null));
    }

    /**
     * Opens another completion context whose callbacks always run on {@code poller}'s thread, even
     * while it closes: see {@link AioPoller}. The Netty binding makes one per event loop.
     */
    public AioContext newContext(AioPoller poller) {
        checkOpen();
        return register(new AioContext(shared, Objects.requireNonNull(poller, "poller")));
    }

    private AioContext register(AioContext context) {
        shared.contexts.add(context);
        if (closed) {
            // close() may have taken its snapshot before the add; don't leave the fd behind.
            context.abandonUnused();
            checkOpen();
        }
        return context;
    }
    /** Keeps at least {@code n} workers alive, starting them now if fewer run. */
    public void minParallel(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("minParallel must be >= 0: " + n);
        }
        checkOpen();
        pool.setMin(n);
    }

    /**
     * Allows at most {@code n} workers and blocks until no more than that remain; surplus workers
     * leave after their current request. With 0, the workers first finish every queued request and
     * then all leave; requests submitted afterwards wait until the limit is raised again.
     */
    public void maxParallel(int n) throws InterruptedException {
        if (n < 0) {
            throw new IllegalArgumentException("maxParallel must be >= 0: " + n);
        }
        checkOpen();
        pool.setMax(n);
    }

    /**
     * How many idle workers are kept beyond {@code minParallel} when their idle timeout ends,
     * IO::AIO's {@code max_idle}: a worker whose timeout ends while {@code n} others are idle
     * retires (unless only {@code minParallel} are left), one that finds fewer stays, idle, for
     * another timeout. The default is 0: every idle worker above {@code minParallel} retires after
     * its timeout, so a burst's workers leave once it has passed (IO::AIO keeps 4). Raise it where starting a thread again costs more than keeping
     * one parked.
     */
    public void maxIdle(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("maxIdle must be >= 0: " + n);
        }
        checkOpen();
        pool.setMaxIdle(n);
    }

    /**
     * How long a worker above {@code minParallel} stays idle before it retires; a duration beyond
     * what a {@code long} of nanoseconds holds means forever.
     */
    public void idleTimeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("idleTimeout must be positive: " + timeout);
        }
        pool.setIdleTimeout(Durations.nanos(timeout));
    }

    /**
     * Whether this engine drains and closes itself at JVM exit, as it does by default. A program
     * whose own shutdown hook still needs the engine (a server finishing the responses in flight on
     * SIGTERM) turns this off and closes the engine at the end of that hook: shutdown hooks run
     * concurrently, so the engine's own drain would refuse the requests that hook still makes.
     * Does nothing once the JVM has begun to exit.
     */
    public void drainAtExit(boolean enabled) {
        try {
            if (enabled && !closed) {
                Runtime.getRuntime().addShutdownHook(exitHook);
            } else if (!enabled) {
                Runtime.getRuntime().removeShutdownHook(exitHook);
            }
        } catch (IllegalArgumentException alreadyRegistered) {
            // Enabling twice is fine.
        } catch (IllegalStateException shuttingDown) {
            // Too late to change what runs at exit.
        }
    }

    /**
     * Where an exception thrown by a callback goes. By default it goes to the uncaught-exception
     * handler of the thread that runs {@code pollCb} (which prints it to standard error), and the
     * callbacks after it still run. A handler given here receives the request and what its
     * callback threw instead, on that same thread, inside {@code pollCb}; it applies to every
     * context of this engine. If the handler itself throws, both go to the thread's handler.
     * Null restores the default.
     */
    public void callbackExceptionHandler(BiConsumer<? super AioRequest<?>, ? super Throwable> handler) {
        shared.failures.handler(handler);
    }

    /**
     * Whether requests are tried on the submitting thread first, in a form the kernel promises
     * will not wait for a disk (on by default): a read with {@code preadv2(RWF_NOWAIT)}, an open
     * for reading with {@code openat2(RESOLVE_CACHED)}, a {@code statx} or a read-only close on a
     * local file system. What would wait goes to a worker, as everything else does. Either way the
     * callback runs inside {@code pollCb()}, never inside the call that submitted it: a request
     * completed here is queued like any other, and costs a poller on an event loop
     * ({@link AioPoller}) no system call to deliver. {@code false} gives Perl's behaviour, every
     * call on a worker. {@link #inlineStats()} says how it goes.
     */
    public void inline(boolean enabled) {
        shared.inline.enabled(enabled);
    }

    /**
     * Sends up to {@code length} bytes of {@code in}, from {@code offset}, to the socket
     * {@code socketFd} with {@code sendfile(2)} on the calling thread, if and only if
     * {@code mincore(2)} (of a read-only mapping of the range, which reads nothing) finds every
     * page of the range in the page cache and read in, just before: so an event loop can send a
     * cached file with no copy through Java memory and no trip through the pool, and leave what is
     * not cached to reads through the workers. No IO::AIO function does this; it is the
     * synchronous half of {@code aio_sendfile} for the case that cannot wait.
     *
     * <p>sendfile has no flag that forbids waiting for the disk, so a page evicted in the
     * microseconds between the two calls is read on this thread; {@link InlineStats#slow()} counts
     * every call that took over a millisecond. (cachestat(2) is not enough: it counts a page the
     * disk has not filled yet, and sendfiles it passed held an event loop for up to half a second
     * on slow storage.) A socket that takes part of the range returns that much, as does a range
     * longer than the call looks at (a gibibyte); call again for the rest, which is checked again.
     *
     * <p>The engine keeps the mapping of a file on ext2/3/4, xfs, btrfs, tmpfs or ramfs for the next
     * check of it, from any thread and any descriptor of the same file, until it has gone unused
     * for a second (at most 64 files, all unmapped when the engine closes): mapping and unmapping
     * take the process's mmap lock for writing, and with two event loops checking at once that
     * cost three times the check itself. Like a descriptor, a mapping holds its file open: the
     * space of a file deleted after it was sent comes back within about two seconds.
     *
     * @param in       a file open for reading; a use of it is held during the call, so a concurrent
     *                 {@code close} waits for it
     * @param socketFd a connected socket (non-blocking, as an event loop's are; a blocking one
     *                 would wait for the peer here)
     * @return the bytes sent, 0 if the socket takes none now, or -1 if nothing was tried: part of
     *         the range is not in the page cache (or lies past the end of the file), the file is
     *         on a file system that is not local, {@code inline(false)}, the mapping mincore
     *         needs is refused here (one warning, then -1 always), or mincore does not answer for
     *         this file: Linux reports a file's pages only to a process that owns it, has
     *         CAP_FOWNER or may write it, and to any other says every page is there, so a file
     *         this process may only read is never sent from here (probed once a file; the first
     *         such file warned of and counted as refused)
     * @throws AioException if sendfile fails, such as {@code EPIPE} for a peer that has gone
     * @throws IllegalStateException if {@code in} is closed
     */
    public long sendfileIfCached(AioFile in, long offset, long length, int socketFd) throws AioException {
        Objects.requireNonNull(in, "in");
        if (offset < 0 || length <= 0 || offset > Long.MAX_VALUE - length) {
            throw new IllegalArgumentException("bad range: offset " + offset + ", length " + length);
        }
        if (socketFd < 0) {
            throw new IllegalArgumentException("negative socket descriptor: " + socketFd);
        }
        Inline inline = shared.inline;
        if (!inline.triesSendfile(in)) {
            return Inline.NOT_CACHED;
        }
        in.acquire();
        try {
            return inline.sendCached(Scratch.ofThisThread(), in, offset, length, socketFd);
        } catch (LastErrorException e) {
            throw AioException.of("sendfile", in.path(), e);
        } finally {
            in.release();
        }
    }

    /**
     * Reads into {@code dst}, from its position up to its limit, at file {@code offset}, on the
     * calling thread, if and only if the page cache holds every byte of it: with
     * {@code preadv2(RWF_NOWAIT)}, which the kernel promises will not wait for a disk. So an event
     * loop can read a small cached file into the buffer it sends, with no request, no callback and
     * no trip through the pool, and hand anything else to {@link #read(AioFile, long, ByteBuffer, AioCallback)}.
     * The synchronous half of {@code aio_read}, as {@link #sendfileIfCached} is of
     * {@code aio_sendfile}; counted in {@link #inlineStats()} like the reads tried first.
     *
     * @param in a file open for reading; a use of it is held during the call, so a concurrent
     *           {@code close} waits for it
     * @return the bytes read, with {@code dst}'s position moved past them: all it had room for, or
     *         fewer where the file ends; or -1, with the position where it was and nothing promised
     *         about the bytes after it, if any of it was not cached, or nothing was tried (a file
     *         system that is not local, {@code inline(false)}, RWF_NOWAIT refused). A read that fails
     *         outright also gives -1: the engine's read reports that error to its callback
     * @throws java.nio.ReadOnlyBufferException if {@code dst} is read-only
     * @throws IllegalStateException if {@code in} is closed
     */
    public int readIfCached(AioFile in, long offset, ByteBuffer dst) {
        Objects.requireNonNull(dst, "dst");
        if (dst.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
        int position = dst.position();
        int length = dst.remaining();
        checkRange(in, offset, length);
        Inline inline = shared.inline;
        if (!inline.triesReads(in)) {
            return -1;
        }
        in.acquire();
        long outcome;
        try {
            outcome = dst.isDirect()
                    ? inline.read(Scratch.ofThisThread(), in, offset, Syscalls.address(dst) + position, length)
                    : inline.read(Scratch.ofThisThread(), in, offset, dst.array(), dst.arrayOffset() + position, length);
        } finally {
            in.release();
            Reference.reachabilityFence(dst); // the kernel wrote into its memory
        }
        if (outcome < 0) {
            return -1;
        }
        dst.position(position + (int) outcome);
        return (int) outcome;
    }

    /** Counts of what was tried on submitting threads and how it went (see {@link #inline(boolean)}). */
    public InlineStats inlineStats() {
        return shared.inline.stats();
    }

    /** What the engine's contexts share; for tests in this package. */
    Shared shared() {
        return shared;
    }

    /** Worker threads alive now. */
    public int nthreads() {
        return pool.started();
    }

    /**
     * Workers started so far because requests waited while workers slept in the kernel (a slow
     * disk), beyond the eight that start on demand: how much the pool has had to grow. Steady on
     * page-cached work; rising while the storage keeps requests waiting.
     */
    public long workersStartedOnStalls() {
        return pool.startedOnStalls();
    }

    /** Requests queued that no worker has taken yet. */
    public int nready() {
        return pool.queued();
    }

    /**
     * Closes every context of this engine, each drained where its callbacks run (on its
     * {@link AioPoller}, or on the calling thread), then this default context on the calling
     * thread, then stops the workers. Blocks until all of that is done; calling it again does
     * nothing. At JVM exit this runs by itself unless {@link #drainAtExit(boolean) drainAtExit(false)}.
     */
    @Override
    public void close() {
        if (closeAll()) {
            try {
                Runtime.getRuntime().removeShutdownHook(exitHook);
            } catch (IllegalStateException shuttingDown) {
                // Already at JVM exit: the hook is this very call, or will find nothing left to do.
            }
        }
    }

    /** False if the engine was closed already. */
    private synchronized boolean closeAll() {
        if (closed) {
            return false;
        }
        closed = true;
        List<AioContext> all = new ArrayList<>(shared.contexts);
        all.add(this);
        for (AioContext context : all) {
            context.refuseRequests(); // everywhere first, so no context feeds another's drain
        }
        pool.stop(); // runs what is queued even at maxParallel(0), or the drains below would wait for ever
        for (AioContext context : all) {
            context.closeContext();
        }
        pool.awaitStopped();
        shared.inline.close();
        return true;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("LinuxAio is closed");
        }
    }
}
