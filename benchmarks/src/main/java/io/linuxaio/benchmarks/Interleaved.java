package io.linuxaio.benchmarks;

import io.linuxaio.LinuxAio;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.function.Supplier;

/**
 * The same pipelines as the JMH benchmarks, but with the implementations taking turns one second at
 * a time, for many rounds, and with the CPU time each spends per operation on the polling thread
 * and on its worker threads.
 *
 * <p>JMH measures one configuration after another, so on a machine shared with other work a busy
 * minute lands on whichever configuration ran then. Taking turns spreads such minutes over all
 * implementations alike, and CPU time per operation barely depends on them: it is the figure to
 * use when asking where a request's time goes.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.linuxaio.benchmarks.Interleaved \
 *     [read|stat|open-close] [workers,...] [rounds] [implementations,...]
 * </pre>
 *
 * <p>The implementations are those of {@link PipelineBenchmark} ({@code linux-aio},
 * {@code jdk-async-channel}, {@code jdk-thread-pool}) and {@value #AIO_LOOPS} (one polling thread
 * per worker, as a server's event loops); by default every one that can do the operation. Reads
 * use the file {@code -Dlinuxaio.bench.dataFile} names, if set, instead of writing a new 1 GiB
 * file, so that many short runs in a row need not each write one.
 */
public final class Interleaved {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final long WARM_NANOS = 500_000_000L;
    private static final long MEASURE_NANOS = 1_000_000_000L;
    /**
     * linux-aio as a server runs it: as many polling threads as the count of workers, each with a
     * completion context of its own on one engine (with that many workers), as each event loop of a
     * server has; each thread keeps {@link Pipeline#DEPTH} requests in flight. Reads tried first
     * complete on the polling threads, so this is how their work spreads over more than one core.
     */
    static final String AIO_LOOPS = "linux-aio-loops";

    private Interleaved() {}

    public static void main(String[] args) throws Exception {
        Op op = switch (args.length > 0 ? args[0] : "read") {
            case "read" -> Op.READ;
            case "stat" -> Op.STAT;
            case "open-close" -> Op.OPEN_CLOSE;
            default -> throw new IllegalArgumentException("operation: read, stat or open-close, not " + args[0]);
        };
        int[] workerCounts = Arrays.stream((args.length > 1 ? args[1] : "1,2,4,8").split(","))
                .mapToInt(Integer::parseInt).toArray();
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 9;
        List<String> impls = args.length > 3 ? List.of(args[3].split(","))
                : op == Op.READ
                ? List.of(PipelineBenchmark.AIO, AIO_LOOPS, PipelineBenchmark.ASYNC_CHANNEL, PipelineBenchmark.THREAD_POOL)
                : List.of(PipelineBenchmark.AIO, AIO_LOOPS, PipelineBenchmark.THREAD_POOL);
        List<String> known = List.of(PipelineBenchmark.AIO, AIO_LOOPS, PipelineBenchmark.ASYNC_CHANNEL, PipelineBenchmark.THREAD_POOL);
        if (!known.containsAll(impls)) {
            throw new IllegalArgumentException("implementations: some of " + known + ", not " + impls);
        }

        try (Scratch scratch = new Scratch("linux-aio-interleaved")) {
            Path data = null;
            List<Path> files = List.of();
            if (op == Op.READ) {
                data = DataFile.forBenchmark(scratch);
            } else {
                files = scratch.smallFiles(Scratch.SMALL_FILES);
            }
            System.out.printf("| %s: workers | implementation | req/s (median of %d) | CPU µs/op, polling thread | CPU µs/op, workers |%n",
                    op, rounds);
            System.out.println("|---:|---|---:|---:|---:|");
            for (int workers : workerCounts) {
                Map<String, List<double[]>> samples = new LinkedHashMap<>();
                for (int round = 0; round < rounds; round++) {
                    for (String impl : impls) {
                        Path dataFile = data;
                        List<Path> smallFiles = files;
                        Supplier<Workload> workloads = () -> op == Op.READ
                                ? Workload.reads(dataFile, DataFile.SIZE) : Workload.onFiles(op, smallFiles);
                        samples.computeIfAbsent(impl, k -> new ArrayList<>()).add(measure(impl, workloads, workers));
                    }
                }
                for (Map.Entry<String, List<double[]>> e : samples.entrySet()) {
                    System.out.printf("| %d | %s | %,.0f | %.2f | %.2f |%n", workers, e.getKey(),
                            median(e.getValue(), 0), median(e.getValue(), 1) / 1000, median(e.getValue(), 2) / 1000);
                }
            }
        }
    }

    /** One turn: {ops per second, polling-thread CPU ns per op, worker CPU ns per op}. */
    private static double[] measure(String impl, Supplier<Workload> workloads, int workers) throws Exception {
        if (impl.equals(AIO_LOOPS)) {
            return measureLoops(workloads, workers);
        }
        try (Pipeline pipeline = PipelineBenchmark.open(impl, workloads.get(), workers)) {
            Turn turn = run(pipeline, () -> {});
            return new double[] {turn.ops / turn.seconds, turn.pollerCpu / turn.ops, turn.workerCpu / turn.ops};
        }
    }

    /**
     * {@link #AIO_LOOPS}: {@code loops} polling threads, each with a pipeline on a context of its own,
     * all on one engine with as many workers; their operations and CPU summed.
     */
    private static double[] measureLoops(Supplier<Workload> workloads, int loops) throws Exception {
        try (LinuxAio engine = AioPipeline.engine(loops)) {
            CyclicBarrier measuring = new CyclicBarrier(loops);
            List<CompletableFuture<Turn>> turns = new ArrayList<>();
            for (int i = 0; i < loops; i++) {
                Workload workload = workloads.get();
                CompletableFuture<Turn> turn = new CompletableFuture<>();
                Thread poller = new Thread(() -> {
                    try (Pipeline pipeline = new AioPipeline(workload, engine.newContext())) {
                        turn.complete(run(pipeline, measuring::await));
                    } catch (Throwable t) {
                        measuring.reset(); // the others fail too, rather than wait for this one
                        turn.completeExceptionally(t);
                    }
                }, "loop-poller-" + i);
                poller.start();
                turns.add(turn);
            }
            double opsPerSecond = 0;
            double ops = 0;
            double pollerCpu = 0;
            double workerCpu = 0;
            for (CompletableFuture<Turn> f : turns) {
                Turn turn = f.get();
                opsPerSecond += turn.ops / turn.seconds;
                ops += turn.ops;
                pollerCpu += turn.pollerCpu;
                workerCpu = Math.max(workerCpu, turn.workerCpu); // each saw all the workers over the same second
            }
            return new double[] {opsPerSecond, pollerCpu / ops, workerCpu / ops};
        }
    }

    /** What one polling thread did in its measured second, and the workers' CPU meanwhile. */
    private record Turn(double ops, double seconds, double pollerCpu, double workerCpu) {}

    /** Warms {@code pipeline} up, calls {@code ready}, and runs it for the measured second, on this thread. */
    private static Turn run(Pipeline pipeline, Ready ready) throws Exception {
        pipeline.start(false);
        long target = 0;
        long warmEnd = System.nanoTime() + WARM_NANOS;
        while (System.nanoTime() < warmEnd) {
            pipeline.runUntil(target += PipelineBenchmark.BATCH);
        }
        ready.await();
        long ops0 = pipeline.completed();
        long poller0 = THREADS.getCurrentThreadCpuTime();
        long workers0 = workerCpu();
        long start = System.nanoTime();
        while (System.nanoTime() - start < MEASURE_NANOS) {
            pipeline.runUntil(target += PipelineBenchmark.BATCH);
        }
        Turn turn = new Turn(pipeline.completed() - ops0, (System.nanoTime() - start) / 1e9,
                THREADS.getCurrentThreadCpuTime() - poller0, workerCpu() - workers0);
        pipeline.drain();
        return turn;
    }

    private interface Ready {
        void await() throws Exception;
    }

    /** CPU time so far of every live worker thread of the pipelines (engine workers and JDK pools). */
    private static long workerCpu() {
        long total = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String name = t.getName();
            if (name.startsWith("aio-worker") || name.startsWith("jdk-")) {
                total += Math.max(0, THREADS.getThreadCpuTime(t.getId()));
            }
        }
        return total;
    }

    private static double median(List<double[]> samples, int field) {
        double[] v = samples.stream().mapToDouble(s -> s[field]).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
