package io.linuxaio.examples;

import io.linuxaio.AioContext;
import io.linuxaio.AioException;
import io.linuxaio.AioRequest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

/** Drives a context's poll loop on the calling thread until one request is delivered. */
final class Completions {
    static final Duration LIMIT = Duration.ofSeconds(30);

    private Completions() {}

    /** The request's result, its failure rethrown as the AioException the callback saw. */
    static <T> T await(AioContext context, AioRequest<T> request)
            throws AioException, TimeoutException, InterruptedException {
        CompletableFuture<T> future = request.future();
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (!future.isDone()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new TimeoutException(request + " was not delivered within " + LIMIT.toSeconds() + " s");
            }
            context.pollWait(Duration.ofNanos(left));
            context.pollCb();
        }
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof AioException aio) {
                throw aio;
            }
            throw e;
        }
    }

    /** The AioException the request failed with; a CheckFailed if it succeeded. */
    static AioException failure(AioContext context, AioRequest<?> request)
            throws CheckReport.CheckFailed, TimeoutException, InterruptedException {
        Object result;
        try {
            result = await(context, request);
        } catch (AioException e) {
            return e;
        }
        throw new CheckReport.CheckFailed(request + " succeeded with " + result + "; expected an error");
    }
}
