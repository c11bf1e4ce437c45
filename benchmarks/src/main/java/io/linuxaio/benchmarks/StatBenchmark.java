package io.linuxaio.benchmarks;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;

/** stat of existing small files, taken in turn; the JDK peer is {@code Files.readAttributes} on a pool. */
public class StatBenchmark extends PipelineBenchmark {
    @Param({AIO, THREAD_POOL})
    public String impl;

    @Override
    String impl() {
        return impl;
    }

    @Override
    Workload workload(Scratch scratch) throws Exception {
        return Workload.onFiles(Op.STAT, scratch.smallFiles(Scratch.SMALL_FILES));
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long stat() throws Exception {
        return step();
    }
}
