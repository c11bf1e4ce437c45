package io.linuxaio.benchmarks;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;

/**
 * open of an existing small file, then its close submitted from the open's completion: two requests,
 * one operation. The JDK peer is {@code FileChannel.open} and {@code close} as two tasks on a pool.
 */
public class OpenCloseBenchmark extends PipelineBenchmark {
    @Param({AIO, THREAD_POOL})
    public String impl;

    @Override
    String impl() {
        return impl;
    }

    @Override
    Workload workload(Scratch scratch) throws Exception {
        return Workload.onFiles(Op.OPEN_CLOSE, scratch.smallFiles(Scratch.SMALL_FILES));
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long openClose() throws Exception {
        return step();
    }
}
