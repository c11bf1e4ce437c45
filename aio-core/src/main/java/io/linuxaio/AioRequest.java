package io.linuxaio;

import java.util.concurrent.CompletableFuture;

/**
 * A submitted request. Its outcome reaches the callback given at submission and this request's
 * {@linkplain #future() future}, both inside {@code pollCb} of the context it was submitted to.
 *
 * @param <T> the result type
 */
public interface AioRequest<T> {
    /**
     * A future of this request's result, completed inside {@code pollCb} on the polling thread just
     * after the callback ran, exceptionally with the {@link AioException} on failure. So stages
     * chained without an executor run on the polling thread too. Made on first call; every call
     * returns the same future. Completing it yourself changes nothing for the engine.
     */
    CompletableFuture<T> future();

    /** Whether the outcome has been delivered (the callback has run). */
    boolean isDone();
}
