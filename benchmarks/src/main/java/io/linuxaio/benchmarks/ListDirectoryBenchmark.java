package io.linuxaio.benchmarks;

import io.linuxaio.DirEntry;
import io.linuxaio.LinuxAio;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Every entry of a directory of {@value #ENTRIES} files, into a list: linux-aio's {@code readdirx}
 * (names, types and inodes, one request) against {@code Files.list} collected to a list of paths.
 * The directory is the one {@link #PROPERTY} names (made once by {@link CoreRun}), or one made for
 * the trial; its dentries are cached after the first listing, so this measures the listing, not
 * the disk.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
public class ListDirectoryBenchmark extends BulkBenchmark {
    static final int ENTRIES = 100_000;
    static final String PROPERTY = "linuxaio.bench.bigDir";

    @Param({AIO, JDK})
    public String impl;

    private Scratch scratch;
    private Path dir;
    private LinuxAio aio;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        String shared = System.getProperty(PROPERTY);
        if (shared != null) {
            dir = Path.of(shared);
        } else {
            scratch = new Scratch("linux-aio-bench-dir");
            dir = makeDirectory(scratch.dir.resolve("big"));
        }
        aio = engine(impl);
    }

    /** A new directory of {@value #ENTRIES} empty files. */
    static Path makeDirectory(Path dir) throws IOException {
        Files.createDirectory(dir);
        for (int i = 0; i < ENTRIES; i++) {
            Files.createFile(dir.resolve("entry-" + i));
        }
        return dir;
    }

    @Benchmark
    public int list() throws Exception {
        if (aio != null) {
            List<DirEntry> entries = await(aio, aio.readdirx(dir.toString(), 0, null));
            return entries.size();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.collect(Collectors.toList()).size();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        if (aio != null) {
            aio.close();
        }
        if (scratch != null) {
            scratch.close();
        }
    }
}
