package io.linuxaio;

import java.util.concurrent.CompletableFuture;

/**
 * A submitted request. Its outcome reaches the callback given at submission and this request's
 * {@linkplain #future() future}, both inside {@code pollCb} of the context it was submitted to,
 * unless it is {@linkplain #cancel() cancelled} first.
 *
 * @param <T> the result type
 */
public interface AioRequest<T> {
    /**
     * A future of this request's result, completed inside {@code pollCb} on the polling thread just
     * after the callback ran, exceptionally with the {@link AioException} on failure. So stages
     * chained without an executor run on the polling thread too. Made on first call; every call
     * returns the same future. Completing it yourself changes nothing for the engine;
     * {@linkplain CompletableFuture#cancel(boolean) cancelling} it is {@link #cancel()}.
     */
    CompletableFuture<T> future();

    /** Whether the outcome has been delivered (the callback has run) or the request was cancelled. */
    boolean isDone();

    /**
     * Cancels the request, as IO::AIO's {@code $req->cancel}: its callback will not run, and its
     * {@linkplain #future() future} is cancelled at once, on this thread (stages chained on it see
     * a {@link java.util.concurrent.CancellationException} here). Any thread may call it.
     *
     * <p>A request still waiting for a worker never runs: the files it was to use are let go at
     * once, so a {@code close} waiting for it goes ahead. A request a worker is running (or that
     * ran on the submitting thread and waits for {@code pollCb}) finishes, since a system call
     * cannot be taken back, but its outcome is dropped: a file a cancelled open returned is closed
     * by the engine; buffers remain the caller's. A close always closes its file; cancelling it
     * only keeps its callback from running. Cancelling a {@linkplain AioGroup group} cancels its
     * members.
     *
     * <p>A cancelled request counts in {@link AioContext#nreqs()} until the next {@code pollCb}
     * passes it by, as IO::AIO's does; that {@code pollCb} runs no callback for it and does not
     * count it in its return value.
     *
     * @return true if this call cancelled the request: its callback will not run. False if its
     *     callback has run (or is running) or it was cancelled before.
     */
    boolean cancel();

    /** Whether {@link #cancel()} (or the future's cancel) succeeded: the callback will not run. */
    boolean isCancelled();
}
