package io.linuxaio;

import com.sun.jna.LastErrorException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;

/**
 * One request on its way: made by the submitting thread, run by a worker (or tried first on the
 * submitting thread, see {@link Inline}), delivered by pollCb of the context it was made for.
 *
 * <p>{@code result} and {@code error} are written by the thread that runs the request and read by
 * the poller; the link that adds the request to its context's {@link ResultQueue}, a volatile write
 * the poller reads before it takes the request, orders them.
 *
 * <p>Every request passes through pollCb exactly once, cancelled or not: that is where it is counted
 * out and where its group hears of it. Its {@code state} bits decide, by compare-and-set, who does
 * what: a worker runs it only if it takes it before a cancel ({@link #claim()}); a cancel that comes
 * first hands it to pollCb itself, and one that comes later only marks it, so that pollCb drops its
 * outcome instead of running its callback ({@link #deliver()}).
 */
class Request<T> implements AioRequest<T> {
    /** It runs: a worker took it, it ran on the submitting thread, or it must run whatever happens (a close). */
    static final int RUNS = 1;
    /** Cancelled: its callback will not run. */
    static final int CANCELLED = 2;
    /** pollCb has taken it: its callback has run or is running, or its outcome was dropped. */
    static final int RETIRED = 4;
    /** A member of {@link #group}. */
    static final int GROUPED = 8;

    /** The work a request does on the thread that runs it, with that thread's native scratch memory. */
    @FunctionalInterface
    interface Op<T> {
        T run(Scratch scratch) throws LastErrorException;
    }

    /** Where the request is delivered. */
    final Completions completions;
    final String call;
    final String path;
    /**
     * The open file whose descriptor this request uses: acquired at submission, released once the
     * request has run, so a close waits for it. Null for requests on paths, and for the close itself.
     */
    final AioFile file;
    /**
     * A second open file the request uses (sendfile's output), held and let go as {@link #file}
     * is: acquired at submission, released once the request has run. Null for most requests.
     */
    AioFile second;
    /** The queue the request waits in: 0 is the highest priority. */
    final int level;
    private final Op<T> op;
    private final AioCallback<? super T> callback;

    /** The request added after this one to its context's {@link ResultQueue}. */
    volatile Request<?> next;

    /** The outcome; a {@link Group}'s is set by its owner, under the group's lock. */
    T result;
    AioException error;

    private volatile int state;
    /** The group this request is a member of; read only once {@link #GROUPED} is seen. */
    private volatile Group<?> group;
    private volatile boolean done;
    private volatile CompletableFuture<T> future;

    Request(Completions completions, int level, String call, String path, AioFile file, Op<T> op,
            AioCallback<? super T> callback) {
        this.completions = completions;
        this.level = level;
        this.call = call;
        this.path = path;
        this.file = file;
        this.op = op;
        this.callback = callback;
    }

    /** A request that is never run or delivered: the place a {@link ResultQueue} starts from. */
    static Request<?> stub() {
        return new Request<>(null, 0, "stub", null, null, null, null);
    }

    /**
     * Before the request is handed on: it runs whatever happens, so a cancel only keeps its callback
     * from running. For a request that ran on the submitting thread, and for a close, which must
     * not leave its descriptor open.
     */
    void markRuns() {
        state = RUNS;
    }

    /** On a worker that took it from its queue: true if it is to run, false if a cancel came first. */
    boolean claim() {
        for (;;) {
            int s = state;
            if ((s & RUNS) != 0) {
                return true;
            }
            if ((s & CANCELLED) != 0) {
                return false;
            }
            if (STATE.compareAndSet(this, s, s | RUNS)) {
                return true;
            }
        }
    }

    /** Cancelled while it waited in a pool queue: the worker that meets it there passes it by. */
    boolean cancelledInQueue() {
        return (state & (RUNS | CANCELLED)) == CANCELLED;
    }

    /** Runs the system call and keeps its outcome; on a worker, or on the submitting thread when tried first. */
    void run(Scratch scratch) {
        try {
            result = op.run(scratch);
        } catch (LastErrorException e) {
            error = AioException.of(call, path, e);
        } catch (RuntimeException | Error e) {
            // Only a defect of ours lands here; the callback must still hear of it, once.
            AioException internal = new AioException(call, Errno.EIO, path, "internal error: " + e);
            internal.initCause(e);
            error = internal;
        }
    }

    /** The outcome, when it was reached without running {@code op} (tried first, on the submitting thread). */
    void succeed(T value) {
        result = value;
    }

    void fail(AioException e) {
        error = e;
    }

    @Override
    public boolean cancel() {
        int s;
        do {
            s = state;
            if ((s & (CANCELLED | RETIRED)) != 0) {
                return false;
            }
        } while (!STATE.compareAndSet(this, s, s | CANCELLED));
        CompletableFuture<T> f = future;
        if (f != null) {
            ((RequestFuture<T>) f).cancelledByEngine();
        }
        if ((s & RUNS) == 0) {
            // It waits in its pool queue, where the worker that meets it will pass it by: it never
            // runs, so what it holds is let go now, and pollCb counts it out.
            completions.pool.cancelledInQueue(this);
            completions.addInline(this);
            releaseFiles();
        }
        return true;
    }

    /** After the request ran, or instead of running it: lets go of its files, the one a close waits for last. */
    void releaseFiles() {
        if (second != null) {
            second.release();
        }
        if (file != null) {
            // Last: a close waiting for this request runs here, and is delivered after it.
            file.release();
        }
    }

    /**
     * On the polling thread, under its lock: counts the request out and runs its callback, then
     * completes its future, unless it was cancelled; then tells its group. A cancelled request's
     * outcome is dropped: a file it opened is closed by the engine. Returns how many callbacks ran
     * (a group finished by this member runs its own).
     */
    int deliver() {
        int s = (int) STATE.getAndBitwiseOr(this, RETIRED);
        completions.count.remove(); // before the callback, so that a callback may close its own context
        int ran = 0;
        if ((s & CANCELLED) == 0) {
            try {
                if (callback != null) {
                    callback.complete(result, error);
                }
            } catch (Throwable t) {
                completions.callbackThrew(this, t);
            }
            ran = 1;
            done = true;
            // A future() racing this: one of the two sees the other's write, and completing twice is harmless.
            CompletableFuture<T> f = future;
            if (f != null) {
                complete(f);
            }
        } else {
            dropOutcome();
        }
        if ((s & GROUPED) != 0) {
            ran += group.memberDone(this);
        }
        return ran;
    }

    /** A cancelled request's outcome nobody will see: a file it opened is closed on a worker. */
    void dropOutcome() {
        Object outcome = result;
        if (outcome instanceof OpenedFile opened) {
            outcome = opened.file();
        } else if (outcome instanceof RemoveTree.Listing listing) {
            outcome = listing.dir();
        }
        if (outcome instanceof AioFile opened) {
            closeUnwanted(opened);
        }
    }

    /** Closes a file nobody else has seen, as a request of its own, counted in whether or not the context still takes requests. */
    private void closeUnwanted(AioFile unwanted) {
        completions.count.forceAdd();
        Request<Void> close = new Request<>(completions, level, "close", unwanted.path(), null, scratch -> {
            Posix.close(unwanted.fd());
            return null;
        }, null);
        close.markRuns();
        if (unwanted.markClosing(() -> completions.pool.submit(close))) {
            completions.pool.submit(close);
        }
    }

    /**
     * Makes this request a member of {@code g}: false, changing nothing, if it is in a group
     * already or has been delivered.
     */
    boolean join(Group<?> g) {
        if (!GROUP.compareAndSet(this, null, g)) {
            return false;
        }
        for (;;) {
            int s = state;
            if ((s & RETIRED) != 0) {
                group = null;
                return false;
            }
            if (STATE.compareAndSet(this, s, s | GROUPED)) {
                return true;
            }
        }
    }

    /** The group this request belongs to, or null. */
    Group<?> group() {
        return (state & GROUPED) != 0 ? group : null;
    }

    boolean retired() {
        return (state & RETIRED) != 0;
    }

    private void complete(CompletableFuture<T> f) {
        if (error != null) {
            f.completeExceptionally(error);
        } else {
            f.complete(result);
        }
    }

    @Override
    public CompletableFuture<T> future() {
        CompletableFuture<T> f = future;
        if (f == null) {
            FUTURE.compareAndSet(this, null, new RequestFuture<>(this)); // a lost race takes the winner's
            f = future;
        }
        if (done) {
            complete(f);
        } else if (isCancelled()) {
            ((RequestFuture<T>) f).cancelledByEngine();
        }
        return f;
    }

    @Override
    public boolean isDone() {
        return done || isCancelled();
    }

    @Override
    public boolean isCancelled() {
        return (state & CANCELLED) != 0;
    }

    @Override
    public String toString() {
        return call + "(" + (path == null ? "" : path) + ")";
    }

    /** A request's future: cancelling it cancels the request. */
    static final class RequestFuture<T> extends CompletableFuture<T> {
        private final Request<T> request;

        RequestFuture(Request<T> request) {
            this.request = request;
        }

        /**
         * Cancels the request ({@link AioRequest#cancel()}) and so this future; false if the
         * request's callback had run already, and this future holds its outcome.
         */
        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            request.cancel();
            return isCancelled();
        }

        /** The request was cancelled: so is this future, on the thread that cancelled it. */
        void cancelledByEngine() {
            super.cancel(false);
        }
    }

    private static final VarHandle FUTURE;
    private static final VarHandle STATE;
    private static final VarHandle GROUP;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            FUTURE = lookup.findVarHandle(Request.class, "future", CompletableFuture.class);
            STATE = lookup.findVarHandle(Request.class, "state", int.class);
            GROUP = lookup.findVarHandle(Request.class, "group", Group.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
