package io.linuxaio.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linuxaio.AioContext;
import io.linuxaio.AioFile;
import io.linuxaio.AioRequest;
import io.linuxaio.Fcntl;
import io.linuxaio.InlineStats;
import io.linuxaio.LinuxAio;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.FileOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinuxAioMetricsTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @Test
    void gaugesFollowARequestFromWaitingToRunningToDelivered(@TempDir Path dir) throws Exception {
        try (LinuxAio aio = new LinuxAio()) {
            aio.maxParallel(1);
            AioContext other = aio.newContext();
            MeterRegistry registry = new SimpleMeterRegistry();
            new LinuxAioMetrics(aio).context("other", other).bindTo(registry);
            Path fifo = dir.resolve("fifo");
            await(aio, aio.mknod(fifo.toString(), Fcntl.S_IFIFO | 0600, 0, null));
            assertEquals(0, gauge(registry, "linuxaio.requests.outstanding", "default"));

            // The only worker sleeps in the FIFO's open until a writer comes: a request that runs.
            CompletableFuture<AioFile> held = aio.open(fifo.toString(), Fcntl.O_RDONLY, 0, null).future();
            waitFor("the worker is in the FIFO's open", () -> aio.nready() == 0 && aio.nthreads() == 1);
            assertEquals(1, gauge(registry, "linuxaio.requests.outstanding", "default"));
            assertEquals(1, gauge(registry, "linuxaio.workers", null));
            assertEquals(0, registry.get("linuxaio.workers.stall.started").functionCounter().count(),
                    "no worker started for a stall: the pool has not grown");
            assertEquals(0, gauge(registry, "linuxaio.requests.ready", null));

            // A request on the other context finds no worker free: it waits in the queue.
            CompletableFuture<Void> queued = other.nop(null).future();
            assertEquals(1, gauge(registry, "linuxaio.requests.ready", null));
            assertEquals(1, gauge(registry, "linuxaio.requests.outstanding", "other"));
            assertEquals(0, gauge(registry, "linuxaio.requests.pending", "other"));

            new FileOutputStream(fifo.toFile()).close(); // the open completes; then the nop runs
            waitFor("both results wait for their pollCb", () -> aio.npending() == 1 && other.npending() == 1);
            assertEquals(0, gauge(registry, "linuxaio.requests.ready", null));
            assertEquals(1, gauge(registry, "linuxaio.requests.pending", "default"));
            assertEquals(1, gauge(registry, "linuxaio.requests.pending", "other"));

            assertEquals(1, aio.pollCb());
            assertTrue(held.isDone());
            assertEquals(0, gauge(registry, "linuxaio.requests.pending", "default"));
            assertEquals(0, gauge(registry, "linuxaio.requests.outstanding", "default"));
            assertEquals(1, gauge(registry, "linuxaio.requests.outstanding", "other"), "not delivered yet");
            assertEquals(1, other.pollCb());
            assertTrue(queued.isDone());
            assertEquals(0, gauge(registry, "linuxaio.requests.outstanding", "other"));
            await(aio, aio.close(held.get(), null));
            other.close();
        }
    }

    @Test
    void inlineCountersAreTheEnginesInlineStats(@TempDir Path dir) throws Exception {
        Path file = Files.write(dir.resolve("data"), new byte[8192]); // just written: in the page cache
        try (LinuxAio aio = new LinuxAio()) {
            MeterRegistry registry = new SimpleMeterRegistry();
            new LinuxAioMetrics(aio).bindTo(registry);
            InlineStats before = aio.inlineStats();
            AioFile opened = await(aio, aio.open(file.toString(), Fcntl.O_RDONLY, 0, null));
            byte[] buffer = new byte[4096];
            for (int i = 0; i < 3; i++) {
                assertEquals(4096, await(aio, aio.read(opened, i * 1024L, 4096, buffer, 0, null)));
            }
            // Two reads from a callback: made together as its pollCb ends, where io_uring is allowed.
            List<AioRequest<Integer>> fromCallback = new ArrayList<>();
            await(aio, aio.nop((v, e) -> {
                fromCallback.add(aio.read(opened, 0, ByteBuffer.allocateDirect(4096), null));
                fromCallback.add(aio.read(opened, 4096, ByteBuffer.allocateDirect(4096), null));
            }));
            for (AioRequest<Integer> read : fromCallback) {
                assertEquals(4096, await(aio, read));
            }
            await(aio, aio.stat(opened, null));
            await(aio, aio.close(opened, null));
            InlineStats after = aio.inlineStats();

            assertEquals(5, after.reads() + after.readsToPool() - before.reads() - before.readsToPool(),
                    "each read was tried first, and either finished there or went to a worker");
            assertEquals(1, after.opens() + after.opensToPool() - before.opens() - before.opensToPool());
            assertCounter(registry, after, "linuxaio.inline.completed", "read", InlineStats::reads);
            assertCounter(registry, after, "linuxaio.inline.completed", "open", InlineStats::opens);
            assertCounter(registry, after, "linuxaio.inline.completed", "stat", InlineStats::stats);
            assertCounter(registry, after, "linuxaio.inline.completed", "close", InlineStats::closes);
            assertCounter(registry, after, "linuxaio.inline.to.pool", "read", InlineStats::readsToPool);
            assertCounter(registry, after, "linuxaio.inline.to.pool", "open", InlineStats::opensToPool);
            assertCounter(registry, after, "linuxaio.inline.completed", "sendfile", InlineStats::sendfiles);
            assertCounter(registry, after, "linuxaio.inline.batched", "read", InlineStats::readsBatched);
            assertCounter(registry, after, "linuxaio.inline.batched", "open", InlineStats::opensBatched);
            assertCounter(registry, after, "linuxaio.inline.to.pool", "sendfile", InlineStats::sendfilesNotCached);
            assertCounter(registry, after, "linuxaio.inline.refused", null, InlineStats::refused);
            assertCounter(registry, after, "linuxaio.inline.slow", null, InlineStats::slow);
        }
    }

    @Test
    void everyMeterCarriesTheGivenTags() {
        try (LinuxAio aio = new LinuxAio()) {
            MeterRegistry registry = new SimpleMeterRegistry();
            new LinuxAioMetrics(aio, Tags.of("engine", "files")).bindTo(registry);
            assertEquals(17, registry.getMeters().size(), "2 gauges for the default context, 2 for the pool, 13 counters");
            for (Meter meter : registry.getMeters()) {
                assertEquals("files", meter.getId().getTag("engine"), meter.getId().toString());
            }
        }
    }

    @Test
    void aContextNameUsedTwiceIsRefusedAndNothingIsAdded() {
        try (LinuxAio aio = new LinuxAio()) {
            AioContext other = aio.newContext();
            LinuxAioMetrics metrics = new LinuxAioMetrics(aio);
            assertThrows(IllegalArgumentException.class, () -> metrics.context("default", other));
            metrics.context("other", other);
            assertThrows(IllegalArgumentException.class, () -> metrics.context("other", other));
            MeterRegistry registry = new SimpleMeterRegistry();
            metrics.bindTo(registry);
            assertEquals(2, registry.find("linuxaio.requests.outstanding").gauges().size());
            other.close();
        }
    }

    private static void assertCounter(MeterRegistry registry, InlineStats expected, String name, String operation,
                                      ToLongFunction<InlineStats> field) {
        var search = registry.get(name);
        if (operation != null) {
            search = search.tag("operation", operation);
        }
        assertEquals(field.applyAsLong(expected), (long) search.functionCounter().count(), name + " " + operation);
    }

    private static long gauge(MeterRegistry registry, String name, String context) {
        var search = registry.get(name);
        if (context != null) {
            search = search.tag("context", context);
        }
        return (long) search.gauge().value();
    }

    /** Polls the engine's default context on this thread until the request is done. */
    private static <T> T await(LinuxAio aio, AioRequest<T> request) throws Exception {
        CompletableFuture<T> result = request.future();
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (!result.isDone()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("the request did not finish within " + DEADLINE);
            }
            aio.pollWait(Duration.ofMillis(100));
            aio.pollCb();
        }
        return result.get();
    }

    private static void waitFor(String what, BooleanSupplier condition) {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not true within " + DEADLINE + ": " + what);
            }
            Thread.onSpinWait();
        }
    }
}
