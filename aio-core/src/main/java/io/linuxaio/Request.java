package io.linuxaio;

import com.sun.jna.LastErrorException;
import java.util.concurrent.CompletableFuture;

/**
 * One request on its way: made by the submitting thread, run by a worker, delivered by pollCb.
 *
 * <p>{@code result} and {@code error} are written by the worker and read by the poller; the link
 * that adds the request to its context's {@link ResultQueue}, a volatile write the poller reads
 * before it takes the request, orders them.
 */
final class Request<T> implements AioRequest<T> {
    /** The work a request does on a worker thread, with that worker's scratch memory. */
    @FunctionalInterface
    interface Op<T> {
        T run(Worker worker) throws LastErrorException;
    }

    final AioContext context;
    final String call;
    final String path;
    /** The open file this request uses, released when it has run; null for path requests. */
    final AioFile file;
    /** From {@link AioContext#PRI_MIN} to {@link AioContext#PRI_MAX}. */
    final int priority;
    private final Op<T> op;
    private final AioCallback<? super T> callback;

    /** The request added after this one to its context's {@link ResultQueue}. */
    volatile Request<?> next;

    private T result;
    private AioException error;

    private boolean done; // guarded by this
    private CompletableFuture<T> future; // guarded by this

    Request(AioContext context, String call, String path, AioFile file, Op<T> op, AioCallback<? super T> callback) {
        this.context = context;
        this.priority = context.priority();
        this.call = call;
        this.path = path;
        this.file = file;
        this.op = op;
        this.callback = callback;
    }

    private Request() {
        this.context = null;
        this.priority = AioContext.PRI_DEFAULT;
        this.call = "stub";
        this.path = null;
        this.file = null;
        this.op = null;
        this.callback = null;
    }

    /** A request that is never run or delivered: the place a {@link ResultQueue} starts from. */
    static Request<?> stub() {
        return new Request<>();
    }

    /** On a worker: runs the system call and keeps its outcome. */
    void run(Worker worker) {
        try {
            result = op.run(worker);
        } catch (LastErrorException e) {
            error = AioException.of(call, path, e);
        } catch (RuntimeException | Error e) {
            // Only a defect of ours lands here; the callback must still hear of it, once.
            AioException internal = new AioException(call, Errno.EIO, path, "internal error: " + e);
            internal.initCause(e);
            error = internal;
        }
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
            context.callbackThrew(this, t);
        }
        CompletableFuture<T> f;
        synchronized (this) {
            done = true;
            f = future;
        }
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
        CompletableFuture<T> f;
        synchronized (this) {
            if (future != null) {
                return future;
            }
            f = future = new CompletableFuture<>();
            if (!done) {
                return f;
            }
        }
        complete(f);
        return f;
    }

    @Override
    public synchronized boolean isDone() {
        return done;
    }

    @Override
    public String toString() {
        return call + "(" + (path == null ? "" : path) + ")";
    }
}
