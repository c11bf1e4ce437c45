package io.linuxaio.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs the core benchmarks (reads, stat, open+close; linux-aio against the JDK peers; 1 to 8
 * workers) as one JMH run and prints a table of throughput and latency side by side.
 *
 * <p>It makes the 1 GiB data file once, locks it into the page cache for the whole run (see
 * {@link PageLock}), shares it with every fork and deletes it at the end. It takes JMH's own options for what to run and how long, e.g.
 * {@code -p workers=2 -wi 1 -i 1 -r 1s ReadBenchmark}; the defaults are those of
 * {@link PipelineBenchmark}.
 */
public final class CoreRun {
    static final String ALL = "io\\.linuxaio\\.benchmarks\\.(Read|Stat|OpenClose)Benchmark\\.";

    private CoreRun() {}

    public static void main(String[] args) throws Exception {
        CommandLineOptions cli = new CommandLineOptions(args);
        try (Scratch scratch = new Scratch("linux-aio-bench-run")) {
            Path data = scratch.dir.resolve("data-1g");
            System.out.printf("# writing %s (%d MiB) and locking it in the page cache%n", data, DataFile.SIZE >> 20);
            DataFile.create(data, DataFile.SIZE);
            scratch.own(PageLock.lock(data));
            Path latencyDir = Files.createDirectory(scratch.dir.resolve("latency"));

            ChainedOptionsBuilder options = new OptionsBuilder().parent(cli).shouldFailOnError(true);
            if (cli.getIncludes().isEmpty()) {
                options.include(ALL);
            }
            List<String> jvmArgs = new ArrayList<>(cli.getJvmArgsAppend().orElse(List.of()));
            jvmArgs.add("-D" + DataFile.PROPERTY + "=" + data);
            jvmArgs.add("-D" + LatencyReport.PROPERTY + "=" + latencyDir);
            options.jvmArgsAppend(jvmArgs.toArray(new String[0]));

            Collection<RunResult> results = new Runner(options.build()).run();
            System.out.println();
            System.out.println("# Core benchmark: " + Pipeline.DEPTH
                    + " requests in flight, every completion run on one polling thread");
            System.out.println();
            System.out.print(ResultTable.markdown(results, latencyDir));
            System.out.println();
            System.out.println("req/s: median of the measurement iterations, ± half their range."
                    + " Latency: submit to callback, over all measurement iterations.");
        }
    }
}
