package io.linuxaio.benchmarks;

import java.time.Duration;
import org.HdrHistogram.Histogram;

/**
 * Keeps {@link #DEPTH} requests in flight from one polling thread and times each from submission to
 * the moment its completion runs on that thread.
 *
 * <p>Every method, and every completion a subclass reports through {@link #finished} or
 * {@link #failed}, runs on the polling thread: the thread that calls {@link #runUntil} and
 * {@link #drain}. A subclass says how a request is submitted and how the polling thread waits for
 * and runs completions; that difference is what the benchmark compares.
 */
abstract class Pipeline implements AutoCloseable {
    static final int DEPTH = 64;
    /** No completion for this long means the pipeline is stuck: fail rather than hang the run. */
    static final Duration STALL_LIMIT = Duration.ofSeconds(30);

    final Workload workload;
    private final long[] submittedAt = new long[DEPTH];
    private final Histogram latency = new Histogram(3);
    private long completed;
    private int inFlight;
    private boolean refill;
    private boolean recording;
    private Throwable failure;

    Pipeline(Workload workload) {
        this.workload = workload;
    }

    /** Submits {@link #DEPTH} requests; each completion submits the next until {@link #drain}. */
    final void start(boolean recordLatency) {
        if (inFlight != 0) {
            throw new IllegalStateException(inFlight + " requests still in flight");
        }
        recording = recordLatency;
        refill = true;
        for (int slot = 0; slot < DEPTH; slot++) {
            begin(slot);
        }
    }

    /** Runs completions until {@link #completed()} reaches {@code target}. */
    final void runUntil(long target) throws Exception {
        while (completed < target) {
            awaitCompletions();
            rethrowFailure();
        }
    }

    /** Stops submitting and runs completions until nothing is in flight. */
    final void drain() throws Exception {
        refill = false;
        while (inFlight > 0) {
            awaitCompletions();
        }
        rethrowFailure();
    }

    /** Operations completed so far. */
    final long completed() {
        return completed;
    }

    final int inFlight() {
        return inFlight;
    }

    /** Submit-to-completion times in nanoseconds, of operations submitted while recording. */
    final Histogram latency() {
        return latency;
    }

    private void begin(int slot) {
        submittedAt[slot] = System.nanoTime();
        inFlight++;
        submit(slot);
    }

    /** A subclass reports that the operation of {@code slot} is complete; the slot is reused at once. */
    final void finished(int slot) {
        long now = System.nanoTime();
        if (recording) {
            latency.recordValue(now - submittedAt[slot]);
        }
        completed++;
        inFlight--;
        if (refill) {
            begin(slot);
        }
    }

    /** A subclass reports that the operation of {@code slot} failed; the run stops with it. */
    final void failed(int slot, Throwable error) {
        inFlight--;
        refill = false;
        if (failure == null) {
            failure = new IllegalStateException(workload.op + " failed in slot " + slot, error);
        }
    }

    private void rethrowFailure() {
        if (failure != null) {
            throw new IllegalStateException(getClass().getSimpleName() + " stopped", failure);
        }
    }

    /** Starts the operation for {@code slot}; its outcome reaches {@link #finished} or {@link #failed}. */
    abstract void submit(int slot);

    /**
     * Blocks until at least one completion waits, for at most {@link #STALL_LIMIT}, then runs every
     * waiting completion on this thread.
     */
    abstract void awaitCompletions() throws Exception;

    static IllegalStateException stalled(Pipeline pipeline) {
        return new IllegalStateException(pipeline.getClass().getSimpleName() + ": no completion within "
                + STALL_LIMIT + " with " + pipeline.inFlight + " in flight");
    }
}
