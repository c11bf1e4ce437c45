package io.linuxaio.benchmarks;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;
import org.HdrHistogram.Histogram;

/**
 * Carries one configuration's submit-to-callback latency out of the JMH fork that measured it: when
 * {@link CoreRun} asked for it with {@link #PROPERTY}, the fork writes it to a small file that the
 * runner reads back for its table; otherwise the fork prints it.
 */
final class LatencyReport {
    /** The directory the forks write their latency files to. */
    static final String PROPERTY = "linuxaio.bench.latencyDir";

    /** Percentiles in microseconds, of {@code count} operations. */
    record Summary(long count, double p50, double p99, double p999, double max) {
        static Summary of(Histogram h) {
            return new Summary(h.getTotalCount(), micros(h.getValueAtPercentile(50)),
                    micros(h.getValueAtPercentile(99)), micros(h.getValueAtPercentile(99.9)), micros(h.getMaxValue()));
        }

        private static double micros(long nanos) {
            return nanos / 1000.0;
        }

        @Override
        public String toString() {
            return String.format("latency p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us (%,d operations)",
                    p50, p99, p999, max, count);
        }
    }

    private LatencyReport() {}

    /**
     * In a fork, at the end of a trial: writes the summary where the runner looks, or prints it when
     * JMH runs without {@link CoreRun}.
     */
    static void publish(String benchmark, String impl, String workers, Histogram latency) {
        Summary summary = Summary.of(latency);
        String dir = System.getProperty(PROPERTY);
        if (dir == null) {
            System.out.println(summary);
            return;
        }
        Properties p = new Properties();
        p.setProperty("count", Long.toString(summary.count()));
        p.setProperty("p50", Double.toString(summary.p50()));
        p.setProperty("p99", Double.toString(summary.p99()));
        p.setProperty("p999", Double.toString(summary.p999()));
        p.setProperty("max", Double.toString(summary.max()));
        try (Writer out = Files.newBufferedWriter(file(Path.of(dir), benchmark, impl, workers))) {
            p.store(out, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** In the runner: the summary a fork published for this configuration, if it got that far. */
    static Optional<Summary> read(Path dir, String benchmark, String impl, String workers) throws IOException {
        Path file = file(dir, benchmark, impl, workers);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            p.load(in);
        }
        return Optional.of(new Summary(Long.parseLong(p.getProperty("count")), Double.parseDouble(p.getProperty("p50")),
                Double.parseDouble(p.getProperty("p99")), Double.parseDouble(p.getProperty("p999")),
                Double.parseDouble(p.getProperty("max"))));
    }

    private static Path file(Path dir, String benchmark, String impl, String workers) {
        return dir.resolve(benchmark + "_" + impl + "_" + workers + ".properties");
    }
}
