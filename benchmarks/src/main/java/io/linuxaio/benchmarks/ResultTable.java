package io.linuxaio.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.openjdk.jmh.results.RunResult;

/**
 * The side-by-side table of a core run: one row per operation and worker count, with each
 * implementation's requests per second and latency, and linux-aio's throughput as a ratio of each
 * JDK peer's.
 *
 * <p>Throughput is the median of the measurement iterations rather than JMH's mean: on a small
 * machine shared with other work, one iteration that lost its cores to a neighbour should not move
 * the figure.
 */
final class ResultTable {
    private static final String[] IMPLS = {PipelineBenchmark.AIO, PipelineBenchmark.ASYNC_CHANNEL, PipelineBenchmark.THREAD_POOL};

    /**
     * One configuration's figures: the median of its measurement iterations, and how far the
     * iterations strayed from it (half their range, in percent of the median).
     */
    record Cell(double opsPerSecond, double spreadPercent, Optional<LatencyReport.Summary> latency) {}

    private ResultTable() {}

    /** A Markdown table of {@code results}, with the latencies the forks left in {@code latencyDir}. */
    static String markdown(Collection<RunResult> results, Path latencyDir) throws IOException {
        // operation -> workers -> impl -> cell, in the order the benchmarks ran.
        Map<String, Map<Integer, Map<String, Cell>>> table = new LinkedHashMap<>();
        for (RunResult run : results) {
            String benchmark = run.getParams().getBenchmark();
            String impl = run.getParams().getParam("impl");
            String workers = run.getParams().getParam("workers");
            double[] scores = run.getBenchmarkResults().stream()
                    .flatMap(b -> b.getIterationResults().stream())
                    .mapToDouble(i -> i.getPrimaryResult().getScore())
                    .sorted().toArray();
            double median = median(scores);
            double spread = 100 * (scores[scores.length - 1] - scores[0]) / 2 / median;
            Cell cell = new Cell(median, spread, LatencyReport.read(latencyDir, benchmark, impl, workers));
            String op = benchmark.substring(benchmark.lastIndexOf('.') + 1);
            table.computeIfAbsent(op, k -> new LinkedHashMap<>())
                    .computeIfAbsent(Integer.parseInt(workers), k -> new LinkedHashMap<>())
                    .put(impl, cell);
        }
        StringBuilder out = new StringBuilder();
        out.append("| operation | workers |");
        for (String impl : IMPLS) {
            out.append(' ').append(impl).append(" req/s | p50 / p99 µs |");
        }
        out.append(" aio ÷ async-channel | aio ÷ thread-pool |\n");
        out.append("|---|---:|").append("---:|---:|".repeat(IMPLS.length)).append("---:|---:|\n");
        for (Map.Entry<String, Map<Integer, Map<String, Cell>>> op : table.entrySet()) {
            for (Integer workers : new TreeSet<>(op.getValue().keySet())) {
                Map<String, Cell> row = op.getValue().get(workers);
                List<String> cells = new ArrayList<>();
                cells.add(op.getKey());
                cells.add(workers.toString());
                for (String impl : IMPLS) {
                    Cell c = row.get(impl);
                    cells.add(c == null ? "—" : String.format("%,.0f ±%.0f%%", c.opsPerSecond(), c.spreadPercent()));
                    cells.add(c == null ? "—" : c.latency()
                            .map(l -> String.format("%.1f / %.1f", l.p50(), l.p99())).orElse("?"));
                }
                cells.add(ratio(row, PipelineBenchmark.ASYNC_CHANNEL));
                cells.add(ratio(row, PipelineBenchmark.THREAD_POOL));
                out.append("| ").append(String.join(" | ", cells)).append(" |\n");
            }
        }
        return out.toString();
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static String ratio(Map<String, Cell> row, String peer) {
        Cell aio = row.get(PipelineBenchmark.AIO);
        Cell other = row.get(peer);
        if (aio == null || other == null) {
            return "—";
        }
        return String.format("%.2f", aio.opsPerSecond() / other.opsPerSecond());
    }
}
