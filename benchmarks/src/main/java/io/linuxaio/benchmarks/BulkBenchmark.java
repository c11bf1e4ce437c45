package io.linuxaio.benchmarks;

import io.linuxaio.AioRequest;
import io.linuxaio.LinuxAio;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * What the bulk benchmarks share: one operation that takes milliseconds to a second (a listing of
 * a large directory, a copy of a large file), done by linux-aio as one request, awaited on the
 * benchmark thread with pollWait and pollCb as an event loop would run it, or by the JDK's
 * blocking call, on the benchmark thread itself.
 */
abstract class BulkBenchmark {
    static final String AIO = PipelineBenchmark.AIO;
    static final String JDK = "jdk";

    /** The engine with its default pool, or null for the JDK. */
    static LinuxAio engine(String impl) {
        return switch (impl) {
            case AIO -> new LinuxAio();
            case JDK -> null;
            default -> throw new IllegalArgumentException("unknown impl: " + impl);
        };
    }

    /** Polls {@code aio} on this thread until {@code request} is delivered; its result. */
    static <T> T await(LinuxAio aio, AioRequest<T> request) throws Exception {
        CompletableFuture<T> future = request.future();
        while (!future.isDone()) {
            if (!aio.pollWait(java.time.Duration.ofMinutes(1))) {
                throw new IllegalStateException("no result within a minute: " + request);
            }
            aio.pollCb();
        }
        try {
            return future.get(0, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }
}
