package io.linuxaio.benchmarks;

import io.linuxaio.LinuxAio;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;
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
 * A copy of the 1 GiB data file (held in the page cache, see {@link DataFile}) to a new file beside
 * it, with its permissions and times: linux-aio's {@code copy} (a group: two opens, one sendfile of
 * the whole file, utime, chown, chmod, two closes) against
 * {@code Files.copy(..., REPLACE_EXISTING, COPY_ATTRIBUTES)}. Each measurement is one copy; the
 * copy is deleted before the next, so every one writes a new file.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2)
@Measurement(iterations = 6)
public class CopyFileBenchmark extends BulkBenchmark {
    @Param({AIO, JDK})
    public String impl;

    private Scratch scratch;
    private Path source;
    private Path target;
    private LinuxAio aio;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        scratch = new Scratch("linux-aio-bench-copy");
        source = DataFile.forBenchmark(scratch);
        target = source.resolveSibling("copy-" + ProcessHandle.current().pid());
        aio = engine(impl);
    }

    @Setup(Level.Iteration)
    public void removeTheLastCopy() throws Exception {
        Files.deleteIfExists(target);
    }

    @Benchmark
    public Path copy() throws Exception {
        if (aio != null) {
            await(aio, aio.copy(source.toString(), target.toString(), null));
            return target;
        }
        return Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        Files.deleteIfExists(target);
        if (aio != null) {
            aio.close();
        }
        scratch.close();
    }
}
