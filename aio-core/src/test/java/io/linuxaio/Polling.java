package io.linuxaio;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.LockSupport;

/** Test helper: drives a context's poll loop on the test thread until a request is delivered. */
final class Polling {
    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final Duration LOOK_AGAIN = Duration.ofMillis(1);

    private Polling() {}

    /** The request's result, polling {@code context} until it is delivered; its AioException rethrown. */
    static <T> T await(AioContext context, AioRequest<T> request) throws AioException {
        CompletableFuture<T> future = request.future();
        until(context, future::isDone);
        try {
            return future.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AioException aio) {
                throw aio;
            }
            throw new AssertionError(e.getCause());
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** The AioException the request failed with; fails the test if it succeeded. */
    static AioException failure(AioContext context, AioRequest<?> request) {
        try {
            Object result = await(context, request);
            throw new AssertionError("expected a failure, got " + result);
        } catch (AioException e) {
            return e;
        }
    }

    /** Polls {@code context} until {@code done} holds, failing after a minute. */
    static void until(AioContext context, java.util.function.BooleanSupplier done) {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not done within " + LIMIT);
            }
            try {
                context.pollWait(Duration.ofMillis(50));
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            context.pollCb();
        }
    }

    /**
     * Waits, without polling, until {@code condition} holds (another thread makes it so); fails after a
     * minute. What it looks at sends no notice (a worker parking, a thread leaving /proc), so it looks
     * again every {@link #LOOK_AGAIN}, sleeping in between: a spinning test would take a core from
     * the threads it waits for.
     */
    static void eventually(String what, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + LIMIT + ": " + what);
            }
            LockSupport.parkNanos(LOOK_AGAIN.toNanos());
        }
    }
}
