package io.linuxaio;

/**
 * What runs when a request completes.
 *
 * <p>Runs exactly once, inside {@link AioContext#pollCb()} on the thread that called it, never on a
 * worker thread; or never, if the request is {@linkplain AioRequest#cancel() cancelled} first.
 * Exactly one of the two arguments carries the outcome: on success {@code error} is null and
 * {@code result} holds the result (null for requests that produce none); on failure {@code error}
 * says which call failed, why and on what. A callback that throws does not stop the callbacks
 * after it: what it threw goes to {@link LinuxAio#callbackExceptionHandler}, by default the
 * polling thread's uncaught-exception handler.
 *
 * @param <T> the request's result type
 */
@FunctionalInterface
public interface AioCallback<T> {
    void complete(T result, AioException error);
}
