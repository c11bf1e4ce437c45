package io.linuxaio.benchmarks;

import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.CompletionHandler;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The JDK's {@link AsynchronousFileChannel} on an executor of {@code workers} threads. On Linux it
 * runs each read as a blocking pread on a pool thread and calls the handler there; the handler hands
 * the result to the polling thread. It only reads: the JDK has no asynchronous stat or open.
 */
final class AsyncChannelPipeline extends HandoffPipeline {
    private final ExecutorService executor;
    private final AsynchronousFileChannel channel;
    private final ByteBuffer[] buffers = new ByteBuffer[DEPTH];
    private final CompletionHandler<Integer, Completion> handler = new CompletionHandler<>() {
        @Override
        public void completed(Integer n, Completion completion) {
            handOff(completion, n, null);
        }

        @Override
        public void failed(Throwable error, Completion completion) {
            handOff(completion, null, error);
        }
    };

    AsyncChannelPipeline(Workload workload, int workers) throws Exception {
        super(workload);
        if (workload.op != Op.READ) {
            throw new IllegalArgumentException("AsynchronousFileChannel cannot " + workload.op);
        }
        executor = Executors.newFixedThreadPool(workers, daemonThreads("jdk-async-channel"));
        try {
            channel = AsynchronousFileChannel.open(workload.dataFile, Set.of(StandardOpenOption.READ), executor);
        } catch (Exception | Error e) {
            executor.shutdownNow();
            throw e;
        }
        for (int i = 0; i < DEPTH; i++) {
            buffers[i] = ByteBuffer.allocateDirect(Workload.BLOCK_BYTES);
        }
    }

    @Override
    void submit(int slot) {
        ByteBuffer buffer = buffers[slot];
        buffer.clear();
        channel.read(buffer, workload.nextOffset(), completions[slot], handler);
    }

    @Override
    void completed(int slot, Object n) {
        if ((Integer) n != Workload.BLOCK_BYTES) {
            failed(slot, new IllegalStateException("short read: " + n));
        } else {
            finished(slot);
        }
    }

    @Override
    public void close() throws Exception {
        try {
            channel.close();
        } finally {
            executor.shutdown();
            executor.awaitTermination(STALL_LIMIT.toSeconds(), TimeUnit.SECONDS);
        }
    }
}
