package io.linuxaio.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
 * {@code jdk-async-channel}, {@code jdk-thread-pool}); by default every one that can do the
 * operation. Reads use the file {@code -Dlinuxaio.bench.dataFile} names, if set, instead of writing
 * a new 1 GiB file, so that many short runs in a row need not each write one.
 */
public final class Interleaved {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final long WARM_NANOS = 500_000_000L;
    private static final long MEASURE_NANOS = 1_000_000_000L;

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
                ? List.of(PipelineBenchmark.AIO, PipelineBenchmark.ASYNC_CHANNEL, PipelineBenchmark.THREAD_POOL)
                : List.of(PipelineBenchmark.AIO, PipelineBenchmark.THREAD_POOL);
        List<String> known = List.of(PipelineBenchmark.AIO, PipelineBenchmark.ASYNC_CHANNEL, PipelineBenchmark.THREAD_POOL);
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
                        Workload workload = op == Op.READ ? Workload.reads(data, DataFile.SIZE) : Workload.onFiles(op, files);
                        samples.computeIfAbsent(impl, k -> new ArrayList<>()).add(measure(impl, workload, workers));
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
    private static double[] measure(String impl, Workload workload, int workers) throws Exception {
        try (Pipeline pipeline = PipelineBenchmark.open(impl, workload, workers)) {
            pipeline.start(false);
            long target = 0;
            long warmEnd = System.nanoTime() + WARM_NANOS;
            while (System.nanoTime() < warmEnd) {
                pipeline.runUntil(target += PipelineBenchmark.BATCH);
            }
            long ops0 = pipeline.completed();
            long poller0 = THREADS.getCurrentThreadCpuTime();
            long workers0 = workerCpu();
            long start = System.nanoTime();
            while (System.nanoTime() - start < MEASURE_NANOS) {
                pipeline.runUntil(target += PipelineBenchmark.BATCH);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double ops = pipeline.completed() - ops0;
            double[] result = {
                ops / seconds,
                (THREADS.getCurrentThreadCpuTime() - poller0) / ops,
                (workerCpu() - workers0) / ops,
            };
            pipeline.drain();
            return result;
        }
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
