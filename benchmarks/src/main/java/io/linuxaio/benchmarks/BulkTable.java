package io.linuxaio.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;

/**
 * The table of the bulk benchmarks: one row per operation, linux-aio's and the JDK's time per
 * operation (the median of the measurement iterations, ± half their range) and their ratio.
 */
final class BulkTable {
    private final Map<String, Map<String, List<Double>>> scores = new LinkedHashMap<>();

    void add(Iterable<RunResult> results) {
        for (RunResult run : results) {
            String benchmark = run.getParams().getBenchmark();
            String op = benchmark.substring(0, benchmark.lastIndexOf('.'));
            op = op.substring(op.lastIndexOf('.') + 1);
            List<Double> cell = scores.computeIfAbsent(op, k -> new LinkedHashMap<>())
                    .computeIfAbsent(run.getParams().getParam("impl"), k -> new ArrayList<>());
            run.getBenchmarkResults().forEach(b -> b.getIterationResults()
                    .forEach(i -> cell.add(i.getPrimaryResult().getScore())));
        }
    }

    String markdown() {
        StringBuilder out = new StringBuilder();
        out.append("| operation | linux-aio ms/op | jdk ms/op | aio ÷ jdk (time) |\n|---|---:|---:|---:|\n");
        for (Map.Entry<String, Map<String, List<Double>>> op : scores.entrySet()) {
            List<Double> aio = op.getValue().getOrDefault(BulkBenchmark.AIO, List.of());
            List<Double> jdk = op.getValue().getOrDefault(BulkBenchmark.JDK, List.of());
            out.append("| ").append(describe(op.getKey())).append(" | ").append(cell(aio)).append(" | ")
                    .append(cell(jdk)).append(" | ")
                    .append(aio.isEmpty() || jdk.isEmpty() ? "—" : String.format("%.2f", median(aio) / median(jdk)))
                    .append(" |\n");
        }
        out.append("\nms/op: median of the measurement iterations, ± half their range.\n");
        return out.toString();
    }

    private static String describe(String benchmark) {
        return switch (benchmark) {
            case "ListDirectoryBenchmark" -> "list " + ListDirectoryBenchmark.ENTRIES
                    + " entries (readdirx / Files.list)";
            case "CopyFileBenchmark" -> "copy 1 GiB (copy / Files.copy)";
            default -> benchmark;
        };
    }

    private static String cell(List<Double> v) {
        if (v.isEmpty()) {
            return "—";
        }
        double min = v.stream().mapToDouble(Double::doubleValue).min().orElse(0);
        double max = v.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        return String.format("%,.1f ±%.0f%%", median(v), 100 * (max - min) / 2 / median(v));
    }

    private static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
