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
 */
final class Request<T> implements AioRequest<T> {
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

    private T result;
    private AioException error;

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

    /** On the polling thread: runs the callback, then completes the future. */
    void deliver() {
        try {
            if (callback != null) {
                callback.complete(result, error);
            }
        } catch (Throwable t) {
            completions.callbackThrew(this, t);
        }
        done = true;
        // A future() racing this: one of the two sees the other's write, and completing twice is harmless.
        CompletableFuture<T> f = future;
        if (f != null) {
            complete(f);
        }
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
            FUTURE.compareAndSet(this, null, new CompletableFuture<T>()); // a lost race takes the winner's
            f = future;
        }
        if (done) {
            complete(f);
        }
        return f;
    }

    @Override
    public boolean isDone() {
        return done;
    }

    @Override
    public String toString() {
        return call + "(" + (path == null ? "" : path) + ")";
    }

    private static final VarHandle FUTURE;

    static {
        try {
            FUTURE = MethodHandles.lookup().findVarHandle(Request.class, "future", CompletableFuture.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
