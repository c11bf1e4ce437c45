package io.linuxaio.benchmarks;

import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * What the core benchmarks share: one benchmark thread keeps {@link Pipeline#DEPTH} requests in
 * flight through the implementation named by {@code impl}, with {@code workers} threads doing the
 * blocking calls, and runs every completion itself. One JMH operation is one completed request (for
 * open+close, one open and its close); the score is operations per second.
 *
 * <p>Each iteration starts the pipeline full and ends it drained, so no request waits across JMH's
 * pause between iterations. Latency is recorded in measurement iterations only and reported at the
 * end of the trial by {@link LatencyReport}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgs = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 2)
public abstract class PipelineBenchmark {
    public static final String AIO = "linux-aio";
    public static final String ASYNC_CHANNEL = "jdk-async-channel";
    public static final String THREAD_POOL = "jdk-thread-pool";

    /** Operations one benchmark call completes; a round number well above {@link Pipeline#DEPTH}. */
    static final int BATCH = 256;

    @Param({"1", "2", "4", "8"})
    public int workers;

    private Scratch scratch;
    private Pipeline pipeline;
    private long target;

    /** The {@code impl} parameter of the concrete benchmark. */
    abstract String impl();

    /** The workload, with whatever files it needs made in {@code scratch}. */
    abstract Workload workload(Scratch scratch) throws Exception;

    @Setup(Level.Trial)
    public void openPipeline() throws Exception {
        scratch = new Scratch("linux-aio-bench");
        pipeline = open(impl(), workload(scratch), workers);
    }

    @Setup(Level.Iteration)
    public void fill(IterationParams iteration) {
        target = pipeline.completed();
        pipeline.start(iteration.getType() == IterationType.MEASUREMENT);
    }

    /** One benchmark call: runs completions, each submitting the next request, until {@link #BATCH} more are done. */
    final long step() throws Exception {
        // Counting from the previous target, not from completed(), carries a pollCb's overshoot into
        // the next call, so the operations JMH counts match the completions that happened.
        target += BATCH;
        pipeline.runUntil(target);
        return pipeline.completed();
    }

    @TearDown(Level.Iteration)
    public void drain() throws Exception {
        pipeline.drain();
    }

    @TearDown(Level.Trial)
    public void closePipeline(BenchmarkParams params) throws Exception {
        try (Scratch s = scratch; Pipeline p = pipeline) {
            if (p != null) {
                LatencyReport.publish(params.getBenchmark(), impl(), Integer.toString(workers), p.latency());
            }
        }
    }

    static Pipeline open(String impl, Workload workload, int workers) throws Exception {
        switch (impl) {
            case AIO:
                return new AioPipeline(workload, workers);
            case ASYNC_CHANNEL:
                return new AsyncChannelPipeline(workload, workers);
            case THREAD_POOL:
                return new ThreadPoolPipeline(workload, workers);
            default:
                throw new IllegalArgumentException("unknown impl: " + impl);
        }
    }
}
