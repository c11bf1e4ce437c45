package io.linuxaio.benchmarks;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The plain JDK way: a fixed pool of {@code workers} threads runs blocking {@link FileChannel} and
 * {@link Files} calls and hands each result back to the polling thread. Reads share one channel and
 * use positional reads (pread) into direct buffers; open and close are two tasks, each handed back,
 * as an event loop would open a file, use it and close it.
 */
final class ThreadPoolPipeline extends HandoffPipeline {
    private final ExecutorService executor;
    private final FileChannel dataChannel;
    private final Task[] tasks = new Task[DEPTH];

    ThreadPoolPipeline(Workload workload, int workers) throws Exception {
        super(workload);
        executor = Executors.newFixedThreadPool(workers, daemonThreads("jdk-thread-pool"));
        try {
            dataChannel = workload.op == Op.READ ? FileChannel.open(workload.dataFile, StandardOpenOption.READ) : null;
        } catch (Exception | Error e) {
            executor.shutdownNow();
            throw e;
        }
        for (int i = 0; i < DEPTH; i++) {
            tasks[i] = new Task(completions[i]);
        }
    }

    @Override
    void submit(int slot) {
        Task task = tasks[slot];
        if (workload.op == Op.READ) {
            task.offset = workload.nextOffset();
            task.buffer.clear();
        } else {
            task.file = workload.nextFile();
            task.open = null;
        }
        executor.execute(task);
    }

    @Override
    void completed(int slot, Object value) {
        Task task = tasks[slot];
        switch (workload.op) {
            case READ -> {
                if ((Integer) value != Workload.BLOCK_BYTES) {
                    failed(slot, new IllegalStateException("short read: " + value));
                } else {
                    finished(slot);
                }
            }
            case STAT -> finished(slot);
            case OPEN_CLOSE -> {
                if (task.open == null) {
                    task.open = (FileChannel) value;
                    executor.execute(task);
                } else {
                    finished(slot);
                }
            }
        }
    }

    @Override
    public void close() throws Exception {
        try {
            if (dataChannel != null) {
                dataChannel.close();
            }
        } finally {
            executor.shutdown();
            executor.awaitTermination(STALL_LIMIT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    /** One slot's blocking call, run on a pool thread; its fields are set by the polling thread before each run. */
    private final class Task implements Runnable {
        final Completion completion;
        final ByteBuffer buffer;
        long offset;
        int file;
        /** For OPEN_CLOSE: null while opening, the channel to close on the second run. */
        FileChannel open;

        Task(Completion completion) {
            this.completion = completion;
            this.buffer = workload.op == Op.READ ? ByteBuffer.allocateDirect(Workload.BLOCK_BYTES) : null;
        }

        @Override
        public void run() {
            try {
                handOff(completion, call(), null);
            } catch (Exception | Error e) {
                handOff(completion, null, e);
            }
        }

        private Object call() throws Exception {
            switch (workload.op) {
                case READ:
                    return dataChannel.read(buffer, offset);
                case STAT:
                    return Files.readAttributes(workload.path(file), BasicFileAttributes.class);
                default:
                    if (open == null) {
                        return FileChannel.open(workload.path(file), StandardOpenOption.READ);
                    }
                    open.close();
                    return null;
            }
        }
    }
}
