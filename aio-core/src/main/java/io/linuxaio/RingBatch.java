package io.linuxaio;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The reads into direct memory, the opens for reading and the closes that callbacks of a running
 * pollCb submit, made together as that pollCb ends: one {@code io_uring_enter} for the lot
 * ({@link BatchRing}), where each would otherwise have cost a system call of its own
 * ({@code preadv2(RWF_NOWAIT)}, {@code openat2(RESOLVE_CACHED)}, {@code close}). A callback that
 * reads on (the next chunk of a file, the next of many reads) or is done with a file (a server that
 * has sent a small one) is the common case of a loop under load, and its calls then cost no system
 * call each. Opens an event loop's own thread submits outside a pollCb (its channels asking for
 * files) join the batch too, and are made as the pollCb that loop runs next starts
 * ({@link Completions#batchOpen}).
 *
 * <p>Nothing about a call changes but when it is made: its callback runs in a later pollCb, as
 * that of any call made first inside pollCb does (see {@link Completions#addInline}); what the
 * page cache did not hold goes to a worker, the part that was read kept; and a call the ring could
 * not take is made alone. A lone call is made alone too, as one system call costs less than
 * entering a ring. A close joins a batch only on a file system with no flush on close
 * ({@link FileSystemKind#LOCAL_NO_FLUSH}): io_uring would hand another's to its own threads, and
 * the batch would wait for them.
 *
 * <p>One per completion context, used only under the pollCb lock: by the thread running its
 * pollCb, or by its poller's thread adding an open between two. The ring is set up at the first
 * batch of two or more calls and closed with the context. A kernel or seccomp profile that
 * refuses io_uring switches batching off for the engine ({@link Inline#ringsRefused}); a ring
 * not set up for want of descriptors or memory is tried again a second later, calls going one by
 * one meanwhile.
 */
final class RingBatch {
    /** Calls made in one enter: a pollCb's worth at the depths a loop keeps. */
    static final int CAPACITY = 64;
    private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Inline inline;
    private final WorkerPool pool;
    private final Batched[] calls = new Batched[CAPACITY];
    /** The index in {@link #calls} of each call queued in the ring, in the order queued. */
    private final int[] order = new int[CAPACITY];
    /** Where the paths and {@code struct open_how}s of queued opens are, made at the first. */
    private OpenArguments openArguments;
    private int count;
    private BatchRing ring;
    private long noRingUntil;
    private boolean closed;

    RingBatch(Inline inline, WorkerPool pool) {
        this.inline = inline;
        this.pool = pool;
    }

    /**
     * Adds a read or a close whose request was counted in and is marked to run (a read holding its
     * file); it is made when pollCb ends, or now with those before it if the batch is full.
     */
    void add(Batched call) {
        if (count == CAPACITY) {
            flush();
        }
        calls[count++] = call;
    }

    /** Whether calls wait to be made as the running pollCb ends. */
    boolean pending() {
        return count > 0;
    }

    /**
     * Makes every call added: finished ones are queued for the next pollCb, reads the page cache
     * could not answer handed to the workers. Never throws for a call: each reaches its callback.
     */
    void flush() {
        if (count == 0) {
            return;
        }
        int n = count;
        try {
            BatchRing r = n > 1 ? ring() : null;
            if (r != null) {
                int queued = 0;
                long bytes = 0;
                int pathBytes = 0;
                for (int i = 0; i < n; i++) {
                    Batched call = calls[i];
                    if (call instanceof BatchedRead read) {
                        r.addRead(read.file.fd(), read.offset, read.address, read.length, i);
                        bytes += read.length;
                    } else if (call instanceof BatchedClose close) {
                        r.addClose(close.file.fd(), i);
                    } else {
                        BatchedOpen<?> open = (BatchedOpen<?>) call;
                        if (pathBytes + open.cPath.length > OpenArguments.PATH_BYTES) {
                            continue; // made alone below: the paths queued fill the memory kept for them
                        }
                        OpenArguments arguments = openArguments();
                        r.addOpen(open.dirFd(), arguments.path(pathBytes, open.cPath), arguments.how(queued, open), i);
                        pathBytes += open.cPath.length;
                    }
                    order[queued++] = i;
                }
                long started = System.nanoTime();
                int took = r.submit();
                r.reap(this::completed);
                // Slow as one call is, less the copying: a nanosecond a byte is a copy at 1 GB/s,
                // far slower than memory, so that only a wait can take a batch past it.
                inline.countIfSlow(started + bytes);
                for (int q = 0; q < took; q++) {
                    calls[order[q]] = null; // made, and handed on by completed()
                }
            }
            for (int i = 0; i < n; i++) {
                if (calls[i] != null) {
                    alone(calls[i]); // one the ring did not take, or all of them where there is no ring
                }
            }
        } finally {
            if (ring != null && ring.inFlight() > 0) {
                // Only an Error (out of memory) thrown by a hand-over leaves completions unreaped;
                // a new ring, rather than tags of this batch read against the next one's calls.
                ring.close();
                ring = null;
            }
            Arrays.fill(calls, 0, n, null);
            count = 0;
        }
    }

    /** Makes {@code call} with a system call of its own, as it would have been without a batch. */
    private void alone(Batched call) {
        if (call instanceof BatchedRead read) {
            tryAlone(read, 0);
        } else if (call instanceof BatchedClose close) {
            close.closeAlone(inline);
        } else {
            ((BatchedOpen<?>) call).openAlone(inline, pool);
        }
    }

    private OpenArguments openArguments() {
        if (openArguments == null) {
            openArguments = new OpenArguments();
        }
        return openArguments;
    }

    /**
     * The ring's answer for {@code calls[tag]}: for a read the bytes read, for a close 0, for an open
     * the new descriptor; or minus the errno.
     */
    private void completed(int tag, int result) {
        if (calls[tag] instanceof BatchedClose close) {
            closed(close, result);
            return;
        }
        if (calls[tag] instanceof BatchedOpen<?> open) {
            open.opened(result, inline, pool);
            return;
        }
        BatchedRead read = (BatchedRead) calls[tag];
        if (result == read.length || result == 0) {
            inline.readsBatched.increment();
            inline.reads.increment();
            read.finish(result); // all of it, or nothing at the end of the file
        } else if (result > 0) {
            tryAlone(read, result); // short: the end of the file, or a page further on not cached
        } else if (result == -Errno.EAGAIN) {
            inline.readsToPool.increment();
            read.toWorker(0, pool);
        } else {
            if (result == -Errno.EINVAL || result == -Errno.ENOSYS || result == -Errno.EPERM) {
                // A kernel from before IORING_OP_READ (5.6), or a profile that allows the ring but not reads.
                inline.ringsRefused("its reads", -result);
            }
            tryAlone(read, 0); // preadv2 sorts out the rest: a file system refusing RWF_NOWAIT, an error
        }
    }

    private void closed(BatchedClose close, int result) {
        if (result == -Errno.EINVAL || result == -Errno.ENOSYS || result == -Errno.EPERM) {
            // A kernel from before IORING_OP_CLOSE (5.6), or a profile that allows reads but not
            // this: the descriptor is still open, and close(2) closes it.
            inline.ringsRefused("its closes", -result);
            close.closeAlone(inline);
            return;
        }
        inline.closes.increment();
        if (result == 0) {
            inline.closesBatched.increment();
        }
        close.finish(result); // an error still closed the descriptor, as close(2)'s does
    }

    /**
     * Tries what is left of {@code read} after {@code done} bytes with a preadv2 of its own; only
     * within {@link #flush}, whose array holds the read, and so its buffer, until the flush ends.
     */
    private void tryAlone(BatchedRead read, int done) {
        long outcome = inline.read(Scratch.ofThisThread(), read.file, read.offset + done, read.address + done,
                read.length - done);
        if (outcome >= 0) {
            read.finish(done + (int) outcome);
        } else {
            read.toWorker(done + Inline.bytesRead(outcome), pool);
        }
    }

    /** The ring, set up at first use; null where there is none to be had now. */
    private BatchRing ring() {
        if (closed || !inline.batchesReads()) {
            return null; // refused since the ring was set up: it stays idle until the context closes
        }
        if (ring != null) {
            return ring;
        }
        long now = System.nanoTime();
        if (noRingUntil != 0 && now - noRingUntil < 0) {
            return null;
        }
        try {
            int injected = inline.takeInjectedRingErrno();
            if (injected != 0) {
                throw Posix.failure(injected);
            }
            ring = BatchRing.open(CAPACITY);
            noRingUntil = 0;
        } catch (LastErrorException e) {
            int errno = e.getErrorCode();
            if (errno == Errno.EMFILE || errno == Errno.ENFILE || errno == Errno.ENOMEM || errno == Errno.EAGAIN) {
                noRingUntil = now + RETRY_NANOS; // calls go one by one meanwhile
            } else {
                inline.ringsRefused("io_uring_setup", errno);
            }
        }
        return ring;
    }

    /** Closes the ring; after the context's last pollCb, when nothing is batched. */
    void close() {
        closed = true;
        if (ring != null) {
            ring.close();
            ring = null;
        }
        if (openArguments != null) {
            openArguments.memory.close();
            openArguments = null;
        }
    }

    /** A call waiting in a batch. */
    sealed interface Batched permits BatchedRead, BatchedClose, BatchedOpen {}

    /**
     * Native memory for what the kernel reads of a batch's opens as it takes them: each one's path
     * and {@code struct open_how}. Kept with the ring, as a batch of opens comes with every pass of
     * a busy loop.
     */
    private static final class OpenArguments {
        /** For the paths of one batch: a batch of longer ones makes the rest alone. */
        static final int PATH_BYTES = 16 * 1024;
        private static final int HOWS_BYTES = CAPACITY * Posix.OPEN_HOW_BYTES;

        final Memory memory = new Memory(HOWS_BYTES + PATH_BYTES);
        private final long address = Pointer.nativeValue(memory);
        private final ByteBuffer bytes = memory.getByteBuffer(0, HOWS_BYTES + PATH_BYTES).order(ByteOrder.nativeOrder());

        /** Copies {@code cPath}, NUL included, {@code at} bytes into the paths; its address. */
        long path(int at, byte[] cPath) {
            bytes.put(HOWS_BYTES + at, cPath);
            return address + HOWS_BYTES + at;
        }

        /** Writes the {@code struct open_how} of the {@code slot}th open queued; its address. */
        long how(int slot, BatchedOpen<?> open) {
            int at = slot * Posix.OPEN_HOW_BYTES;
            bytes.putLong(at, Integer.toUnsignedLong(Inline.triedFlags(open.flags) | Fcntl.O_CLOEXEC));
            bytes.putLong(at + 8, 0); // no mode: only opens for reading are tried first
            bytes.putLong(at + 16, Inline.triedResolve(open.resolve));
            return address + at;
        }
    }

    /**
     * An open tried first, for reading only ({@link Inline#triesOpen}): made in a batch where the
     * submitting thread has one, else alone; in either case handed to a worker where the dentry
     * cache cannot answer. {@code as} makes the request's result of the file and its stat.
     */
    static final class BatchedOpen<T> implements Batched {
        final Request<T> request;
        final AioFile dir;
        final byte[] cPath;
        final int flags;
        final int resolve;
        private final Function<OpenedFile, T> as;
        private boolean joinedBatch;

        BatchedOpen(Request<T> request, AioFile dir, byte[] cPath, int flags, int resolve, Function<OpenedFile, T> as) {
            this.request = request;
            this.dir = dir;
            this.cPath = cPath;
            this.flags = flags;
            this.resolve = resolve;
            this.as = as;
        }

        int dirFd() {
            return dir == null ? Posix.AT_FDCWD : dir.fd();
        }

        /** The ring answered {@code result}: the new descriptor, or minus the errno. */
        void opened(int result, Inline inline, WorkerPool pool) {
            if (result == -Errno.EINVAL || result == -Errno.ENOSYS || result == -Errno.EPERM) {
                // Flags openat2 refuses, or a kernel whose ring has no openat2: openat2 alone sorts
                // it out, and switches opens tried first off where the kernel refuses them.
                openAlone(inline, pool);
                return;
            }
            try {
                finish(inline.openedInBatch(Scratch.ofThisThread(), result, dir, cPath, request.path, flags, resolve),
                        pool);
            } catch (LastErrorException finalAnswer) {
                fail(finalAnswer);
            }
        }

        /** Made with a system call of its own, as an open tried first without a batch is. */
        void openAlone(Inline inline, WorkerPool pool) {
            try {
                finish(inline.open(Scratch.ofThisThread(), dir, cPath, request.path, flags, resolve), pool);
            } catch (LastErrorException finalAnswer) {
                fail(finalAnswer);
            }
        }

        /** Opened here, queued for the next pollCb; or, for null, the worker's to open. */
        private void finish(OpenedFile opened, WorkerPool pool) {
            if (opened == null) {
                pool.submit(request); // the directory stays held until the worker has opened
                return;
            }
            request.succeed(as.apply(opened));
            delivered();
        }

        private void fail(LastErrorException finalAnswer) {
            request.fail(AioException.of(request.call, request.path, finalAnswer));
            delivered();
        }

        /**
         * Before it joins a batch, while nobody else has the request: it will be made whatever
         * happens, so a cancel from now on only silences it (and the engine closes what it opened).
         */
        void joinsBatch() {
            request.markRuns();
            joinedBatch = true;
        }

        private void delivered() {
            if (!joinedBatch) {
                request.markRuns(); // made as it was submitted: a cancel cannot have come yet
            }
            request.completions.addInline(request);
            request.releaseFiles();
        }
    }

    /**
     * A close waiting in a batch: of a file opened for reading, on a file system with no flush on
     * close, that no request uses any more.
     */
    static final class BatchedClose implements Batched {
        final AioFile file;
        final Request<Void> request;

        BatchedClose(AioFile file, Request<Void> request) {
            this.file = file;
            this.request = request;
        }

        /** Closed with close(2), as an unbatched close tried first is. */
        void closeAlone(Inline inline) {
            try {
                inline.close(file);
            } catch (LastErrorException e) {
                request.fail(AioException.of("close", file.path(), e));
            }
            request.completions.addInline(request);
        }

        /** Closed by the ring with {@code result}: 0, or minus the errno; queued for the next pollCb. */
        void finish(int result) {
            if (result < 0) {
                request.fail(AioException.of("close", file.path(), Posix.failure(-result)));
            }
            request.completions.addInline(request);
        }
    }

    /**
     * A read waiting in a batch, and the work its request does if it goes to a worker: the rest of
     * the read after the {@code done} bytes tried first.
     */
    static final class BatchedRead implements Batched, Request.Op<Integer> {
        final AioFile file;
        final long offset;
        /** Kept until the read is made: the kernel writes into its memory. */
        final ByteBuffer buffer;
        final long address;
        final int length;
        private Request<Integer> request;
        /** Bytes read before the request went to a worker; written before the hand-over, which orders it. */
        private int done;

        BatchedRead(AioFile file, long offset, ByteBuffer buffer, long address, int length) {
            this.file = file;
            this.offset = offset;
            this.buffer = buffer;
            this.address = address;
            this.length = length;
        }

        void request(Request<Integer> r) {
            this.request = r;
        }

        @Override
        public Integer run(Scratch scratch) throws LastErrorException {
            return done + Syscalls.readDirect(file, offset + done, buffer, address + done, length - done);
        }

        /** Finished here with {@code n} bytes: queued for the next pollCb, and the file let go. */
        void finish(int n) {
            request.succeed(n);
            request.completions.addInline(request);
            file.release();
        }

        /** {@code n} bytes read here; a worker reads the rest. */
        void toWorker(int n, WorkerPool pool) {
            done = n;
            pool.submit(request);
        }
    }
}
