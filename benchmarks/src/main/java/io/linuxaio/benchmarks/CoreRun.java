package io.linuxaio.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the core benchmarks (reads, stat, open+close; linux-aio against the JDK peers; 1 to 8
 * workers) and prints a table of throughput and latency side by side; then, unless
 * {@code --no-bulk}, the bulk operations once (a listing of a 100,000-entry directory, a copy of
 * the 1 GiB file; {@link BulkBenchmark}) and their table.
 *
 * <p>It makes the 1 GiB data file once, locks it into the page cache for the whole run (see
 * {@link PageLock}), shares it with every fork and deletes it at the end.
 *
 * <p>The JMH matrix runs in {@code --rounds} rounds (default {@value #DEFAULT_ROUNDS}) of short
 * iterations, and the table pools them. JMH measures one configuration after another, so on this
 * shared 2-core machine a busy minute would otherwise land on whichever configurations ran then;
 * in rounds it is spread over all of them. Other arguments are JMH's own, e.g.
 * {@code --rounds 1 -p workers=2 -i 1 ReadBenchmark} for a quick look.
 */
public final class CoreRun {
    static final String ALL = "io\\.linuxaio\\.benchmarks\\.(Read|Stat|OpenClose)Benchmark\\.";
    /** The bulk operations, run once after the rounds: see {@link BulkBenchmark}. */
    static final String BULK = "io\\.linuxaio\\.benchmarks\\.(ListDirectory|CopyFile)Benchmark\\.";
    static final int DEFAULT_ROUNDS = 3;

    private CoreRun() {}

    public static void main(String[] args) throws Exception {
        int rounds = DEFAULT_ROUNDS;
        List<String> jmhArgs = new ArrayList<>(Arrays.asList(args));
        boolean bulk = !jmhArgs.remove("--no-bulk");
        int at = jmhArgs.indexOf("--rounds");
        if (at >= 0) {
            if (at + 1 >= jmhArgs.size()) {
                throw new IllegalArgumentException("--rounds needs a number");
            }
            rounds = Integer.parseInt(jmhArgs.remove(at + 1));
            jmhArgs.remove(at);
        }
        CommandLineOptions cli = new CommandLineOptions(jmhArgs.toArray(new String[0]));
        try (Scratch scratch = new Scratch("linux-aio-bench-run")) {
            Path data = scratch.dir.resolve("data-1g");
            System.out.printf("# writing %s (%d MiB) and locking it in the page cache%n", data, DataFile.SIZE >> 20);
            DataFile.create(data, DataFile.SIZE);
            scratch.own(PageLock.lock(data));

            ResultTable table = new ResultTable();
            for (int round = 1; round <= rounds; round++) {
                System.out.printf("%n# round %d of %d, load average %s%n", round, rounds, loadAverage());
                Path latencyDir = Files.createDirectory(scratch.dir.resolve("latency-" + round));
                table.add(new Runner(options(cli, data, latencyDir)).run(), latencyDir);
            }
            BulkTable bulkTable = new BulkTable();
            if (bulk) {
                Path bigDir = scratch.dir.resolve("big-dir");
                System.out.printf("%n# making %s (%,d files); bulk benchmarks, load average %s%n", bigDir,
                        ListDirectoryBenchmark.ENTRIES, loadAverage());
                ListDirectoryBenchmark.makeDirectory(bigDir);
                bulkTable.add(new Runner(bulkOptions(data, bigDir)).run());
            }
            System.out.println();
            System.out.println("# Core benchmark: " + Pipeline.DEPTH
                    + " requests in flight, every completion run on one polling thread");
            System.out.println();
            System.out.print(table.markdown());
            if (bulk) {
                System.out.println();
                System.out.println("# Bulk operations: one at a time, awaited on the benchmark thread");
                System.out.println();
                System.out.print(bulkTable.markdown());
            }
        }
    }

    /** The command line's options, with this run's defaults where it says nothing. */
    private static org.openjdk.jmh.runner.options.Options options(CommandLineOptions cli, Path data, Path latencyDir) {
        ChainedOptionsBuilder options = new OptionsBuilder().parent(cli).shouldFailOnError(true);
        if (cli.getIncludes().isEmpty()) {
            options.include(ALL);
        }
        if (!cli.getWarmupIterations().hasValue()) {
            options.warmupIterations(1);
        }
        if (!cli.getWarmupTime().hasValue()) {
            options.warmupTime(TimeValue.seconds(1));
        }
        if (!cli.getMeasurementIterations().hasValue()) {
            options.measurementIterations(2);
        }
        if (!cli.getMeasurementTime().hasValue()) {
            options.measurementTime(TimeValue.seconds(2));
        }
        List<String> jvmArgs = new ArrayList<>(cli.getJvmArgsAppend().orElse(List.of()));
        jvmArgs.add("-D" + DataFile.PROPERTY + "=" + data);
        jvmArgs.add("-D" + LatencyReport.PROPERTY + "=" + latencyDir);
        return options.jvmArgsAppend(jvmArgs.toArray(new String[0])).build();
    }

    /** The bulk benchmarks with their own settings (see their classes), on the run's data file and directory. */
    private static org.openjdk.jmh.runner.options.Options bulkOptions(Path data, Path bigDir) {
        return new OptionsBuilder().include(BULK).shouldFailOnError(true)
                .jvmArgsAppend("-D" + DataFile.PROPERTY + "=" + data, "-D" + ListDirectoryBenchmark.PROPERTY + "=" + bigDir)
                .build();
    }

    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (Exception e) {
            return "unknown";
        }
    }
}
