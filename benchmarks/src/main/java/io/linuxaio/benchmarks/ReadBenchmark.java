package io.linuxaio.benchmarks;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;

/** 4 KiB reads at random aligned offsets of a 1 GiB page-cached file, into direct buffers. */
public class ReadBenchmark extends PipelineBenchmark {
    @Param({AIO, ASYNC_CHANNEL, THREAD_POOL})
    public String impl;

    @Override
    String impl() {
        return impl;
    }

    @Override
    Workload workload(Scratch scratch) throws Exception {
        return Workload.reads(DataFile.forBenchmark(scratch), DataFile.SIZE);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long read() throws Exception {
        return step();
    }
}
