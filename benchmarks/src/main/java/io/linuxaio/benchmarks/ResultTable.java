package io.linuxaio.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;
import org.openjdk.jmh.results.RunResult;

/**
 * The side-by-side table of a core run: one row per operation and worker count, with each
 * implementation's requests per second and latency, and linux-aio's throughput as a ratio of each
 * JDK peer's.
 *
 * <p>Figures are gathered over every round of the run. Throughput is the median of all measurement
 * iterations rather than JMH's mean: on a small machine shared with other work, an iteration that
 * lost its cores to a neighbour should not move the figure. Latency percentiles come from the
 * rounds' histograms added together.
 */
final class ResultTable {
    private static final String[] IMPLS = {PipelineBenchmark.AIO, PipelineBenchmark.ASYNC_CHANNEL, PipelineBenchmark.THREAD_POOL};

    /** One configuration, filled in round by round. */
    private static final class Cell {
        final List<Double> scores = new ArrayList<>();
        Histogram latency;

        double median() {
            double[] v = scores.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        }

        /** Half the range of the iteration scores, in percent of the median. */
        double spreadPercent() {
            double min = scores.stream().mapToDouble(Double::doubleValue).min().orElse(0);
            double max = scores.stream().mapToDouble(Double::doubleValue).max().orElse(0);
            return 100 * (max - min) / 2 / median();
        }
    }

    // operation -> workers -> impl -> cell, operations in the order they ran.
    private final Map<String, Map<Integer, Map<String, Cell>>> cells = new LinkedHashMap<>();
    private int rounds;

    /** Adds one round: its JMH results and the latency histograms its forks left in {@code latencyDir}. */
    void add(Iterable<RunResult> results, Path latencyDir) throws IOException {
        rounds++;
        for (RunResult run : results) {
            String benchmark = run.getParams().getBenchmark();
            String impl = run.getParams().getParam("impl");
            String workers = run.getParams().getParam("workers");
            String op = benchmark.substring(benchmark.lastIndexOf('.') + 1);
            Cell cell = cells.computeIfAbsent(op, k -> new LinkedHashMap<>())
                    .computeIfAbsent(Integer.parseInt(workers), k -> new LinkedHashMap<>())
                    .computeIfAbsent(impl, k -> new Cell());
            run.getBenchmarkResults().forEach(b -> b.getIterationResults()
                    .forEach(i -> cell.scores.add(i.getPrimaryResult().getScore())));
            LatencyReport.read(latencyDir, benchmark, impl, workers).ifPresent(h -> {
                if (cell.latency == null) {
                    cell.latency = h;
                } else {
                    cell.latency.add(h);
                }
            });
        }
    }

    /** The table in Markdown, with a line saying what its figures are. */
    String markdown() {
        StringBuilder out = new StringBuilder();
        out.append("| operation | workers |");
        for (String impl : IMPLS) {
            out.append(' ').append(impl).append(" req/s | p50 / p99 µs |");
        }
        out.append(" aio ÷ async-channel | aio ÷ thread-pool |\n");
        out.append("|---|---:|").append("---:|---:|".repeat(IMPLS.length)).append("---:|---:|\n");
        for (Map.Entry<String, Map<Integer, Map<String, Cell>>> op : cells.entrySet()) {
            for (Map.Entry<Integer, Map<String, Cell>> row : new TreeMap<>(op.getValue()).entrySet()) {
                List<String> line = new ArrayList<>();
                line.add(op.getKey());
                line.add(row.getKey().toString());
                for (String impl : IMPLS) {
                    Cell c = row.getValue().get(impl);
                    line.add(c == null ? "—" : String.format("%,.0f ±%.0f%%", c.median(), c.spreadPercent()));
                    line.add(c == null ? "—" : c.latency == null ? "?" : String.format("%.0f / %.0f",
                            c.latency.getValueAtPercentile(50) / 1000.0, c.latency.getValueAtPercentile(99) / 1000.0));
                }
                line.add(ratio(row.getValue(), PipelineBenchmark.ASYNC_CHANNEL));
                line.add(ratio(row.getValue(), PipelineBenchmark.THREAD_POOL));
                out.append("| ").append(String.join(" | ", line)).append(" |\n");
            }
        }
        out.append("\nreq/s: median of every measurement iteration of ").append(rounds)
                .append(rounds == 1 ? " round" : " rounds")
                .append(", ± half their range. Latency: submit to callback, all measurement iterations.\n");
        return out.toString();
    }

    private static String ratio(Map<String, Cell> row, String peer) {
        Cell aio = row.get(PipelineBenchmark.AIO);
        Cell other = row.get(peer);
        if (aio == null || other == null) {
            return "—";
        }
        return String.format("%.2f", aio.median() / other.median());
    }
}
