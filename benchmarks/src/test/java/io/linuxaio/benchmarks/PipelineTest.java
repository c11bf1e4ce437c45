package io.linuxaio.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The pipelines the benchmarks time do the work they claim, keep {@link Pipeline#DEPTH} requests in
 * flight, stop on a failure instead of hanging, and leave no file, eventfd or thread behind. Run on a
 * small file, so the build stays quick and no benchmark runs.
 */
class PipelineTest {
    private static final int OPERATIONS = 2_000;

    private Scratch scratch;
    private Path dataFile;
    private List<Path> smallFiles;

    @BeforeEach
    void makeFiles() throws IOException {
        scratch = new Scratch("pipeline-test");
        dataFile = scratch.dir.resolve("data");
        DataFile.create(dataFile, 1 << 20);
        smallFiles = scratch.smallFiles(16);
    }

    @AfterEach
    void deleteFiles() throws Exception {
        scratch.close();
    }

    static Stream<Arguments> pipelines() {
        List<Arguments> all = new ArrayList<>();
        for (int workers : new int[] {1, 4}) {
            readPipelines().forEach(impl -> all.add(Arguments.of(impl, Op.READ, workers)));
            statPipelines().forEach(impl -> {
                all.add(Arguments.of(impl, Op.STAT, workers));
                all.add(Arguments.of(impl, Op.OPEN_CLOSE, workers));
            });
        }
        return all.stream();
    }

    private Workload workload(Op op) {
        return op == Op.READ ? Workload.reads(dataFile, 1 << 20) : Workload.onFiles(op, smallFiles);
    }

    @ParameterizedTest(name = "{0} {1} with {2} workers")
    @MethodSource("pipelines")
    void completesEveryOperationThenReleasesWhatItOpened(String impl, Op op, int workers) throws Exception {
        long eventFds = openEventFds();
        try (Pipeline pipeline = PipelineBenchmark.open(impl, workload(op), workers)) {
            pipeline.start(true);
            assertEquals(Pipeline.DEPTH, pipeline.inFlight());
            pipeline.runUntil(OPERATIONS);
            assertEquals(Pipeline.DEPTH, pipeline.inFlight(), "every completion submits the next request");
            pipeline.drain();
            assertEquals(0, pipeline.inFlight());
            assertTrue(pipeline.completed() >= OPERATIONS, "completed " + pipeline.completed());
            assertEquals(pipeline.completed(), pipeline.latency().getTotalCount(), "one latency sample per operation");
            assertTrue(pipeline.latency().getMinValue() > 0);

            // A second round picks up where the first stopped, as JMH iterations do.
            long before = pipeline.completed();
            pipeline.start(false);
            pipeline.runUntil(before + 100);
            pipeline.drain();
            assertTrue(pipeline.completed() >= before + 100, "completed " + pipeline.completed());
            assertEquals(before, pipeline.latency().getTotalCount(), "nothing recorded while not recording");
        }
        assertEquals(List.of(), descriptorsUnder(scratch.dir), "files left open");
        assertEquals(eventFds, openEventFds(), "eventfds left open");
        assertEquals(List.of(), poolThreads(), "threads left running");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("statPipelines")
    void aFailedRequestStopsTheRunWithItsError(String impl) throws Exception {
        Files.delete(smallFiles.get(3));
        try (Pipeline pipeline = PipelineBenchmark.open(impl, workload(Op.STAT), 2)) {
            pipeline.start(true);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> pipeline.runUntil(Long.MAX_VALUE));
            Throwable cause = e.getCause().getCause();
            assertTrue(cause instanceof IOException, "cause: " + cause);
            assertTrue(String.valueOf(cause.getMessage()).contains("f3.html"), cause.getMessage());
            assertThrows(IllegalStateException.class, pipeline::drain);
            assertEquals(0, pipeline.inFlight(), "the rest still completed");
        }
        assertEquals(List.of(), poolThreads());
    }

    static Stream<String> statPipelines() {
        return Stream.of(PipelineBenchmark.AIO, PipelineBenchmark.THREAD_POOL);
    }

    static Stream<String> readPipelines() {
        return Stream.of(PipelineBenchmark.AIO, PipelineBenchmark.ASYNC_CHANNEL, PipelineBenchmark.THREAD_POOL);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("readPipelines")
    void aShortReadIsAFailureNotAFastOperation(String impl) throws Exception {
        // Claim a larger file than there is: reads past the end come back short.
        Workload tooLong = Workload.reads(dataFile, 64L << 20);
        try (Pipeline pipeline = PipelineBenchmark.open(impl, tooLong, 1)) {
            pipeline.start(false);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> pipeline.runUntil(Long.MAX_VALUE));
            assertTrue(e.getCause().getCause().getMessage().startsWith("short read"), e.getCause().getCause().getMessage());
            assertThrows(IllegalStateException.class, pipeline::drain);
        }
    }

    private static List<Path> descriptorsUnder(Path dir) throws IOException {
        List<Path> open = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    Path target = Files.readSymbolicLink(fd);
                    if (target.startsWith(dir)) {
                        open.add(target);
                    }
                } catch (IOException gone) {
                    // The listing's own descriptor, closed by now.
                }
            }
        }
        return open;
    }

    private static long openEventFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().contains("eventfd");
                } catch (IOException gone) {
                    return false;
                }
            }).count();
        }
    }

    /**
     * Pool threads still alive, after giving each up to 10 seconds to end: a closed pool has let its
     * threads go, but one may still be on its way out of its run method.
     */
    private static List<String> poolThreads() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<String> names = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String name = t.getName();
            if (name.startsWith("aio-worker") || name.startsWith("jdk-")) {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                if (t.isAlive()) {
                    names.add(name);
                }
            }
        }
        return names;
    }
}
