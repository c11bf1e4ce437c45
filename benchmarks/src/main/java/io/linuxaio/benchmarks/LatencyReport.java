package io.linuxaio.benchmarks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * Carries one configuration's submit-to-callback latency out of the JMH fork that measured it: when
 * {@link CoreRun} asked for it with {@link #PROPERTY}, the fork writes its whole histogram to a
 * small file that the runner reads back and merges with the other rounds' for its table;
 * otherwise the fork prints a summary.
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

    /** In a fork, at the end of a trial: writes the histogram where the runner looks, or prints a summary. */
    static void publish(String benchmark, String impl, String workers, Histogram latency) throws IOException {
        String dir = System.getProperty(PROPERTY);
        if (dir == null) {
            System.out.println(Summary.of(latency));
            return;
        }
        ByteBuffer encoded = ByteBuffer.allocate(latency.getNeededByteBufferCapacity());
        latency.encodeIntoCompressedByteBuffer(encoded);
        encoded.flip();
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);
        Files.writeString(file(Path.of(dir), benchmark, impl, workers), Base64.getEncoder().encodeToString(bytes));
    }

    /** In the runner: the histogram a fork published for this configuration, if it got that far. */
    static Optional<Histogram> read(Path dir, String benchmark, String impl, String workers) throws IOException {
        Path file = file(dir, benchmark, impl, workers);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        byte[] bytes = Base64.getDecoder().decode(Files.readString(file).trim());
        try {
            return Optional.of(Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(bytes), 0));
        } catch (DataFormatException e) {
            throw new IOException("corrupt latency histogram in " + file, e);
        }
    }

    private static Path file(Path dir, String benchmark, String impl, String workers) {
        return dir.resolve(benchmark + "_" + impl + "_" + workers + ".hdr");
    }
}
