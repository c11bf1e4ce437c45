package io.linuxaio.benchmarks;

import io.linuxaio.AioCallback;
import io.linuxaio.AioException;
import io.linuxaio.AioFile;
import io.linuxaio.AioRequest;
import io.linuxaio.Fcntl;
import io.linuxaio.LinuxAio;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * The engine under test: requests go to a {@link LinuxAio} with exactly {@code workers} workers, and
 * the polling thread runs their callbacks with {@code pollWait()} and {@code pollCb()}.
 */
final class AioPipeline extends Pipeline {
    private final LinuxAio aio;
    private final AioFile dataFile;
    private final Slot[] slots = new Slot[DEPTH];

    AioPipeline(Workload workload, int workers) throws Exception {
        super(workload);
        aio = new LinuxAio();
        try {
            aio.minParallel(workers);
            aio.maxParallel(workers);
            dataFile = workload.op == Op.READ
                    ? await(aio.open(workload.dataFile.toString(), Fcntl.O_RDONLY, 0, null))
                    : null;
        } catch (Exception | Error e) {
            aio.close();
            throw e;
        }
        for (int i = 0; i < DEPTH; i++) {
            slots[i] = new Slot(i);
        }
    }

    @Override
    void submit(int slot) {
        Slot s = slots[slot];
        switch (workload.op) {
            case READ -> {
                s.buffer.clear();
                aio.read(dataFile, workload.nextOffset(), s.buffer, s.readDone);
            }
            case STAT -> aio.stat(workload.name(workload.nextFile()), s.statDone);
            case OPEN_CLOSE -> aio.open(workload.name(workload.nextFile()), Fcntl.O_RDONLY, 0, s.openDone);
        }
    }

    @Override
    void awaitCompletions() throws InterruptedException {
        if (!aio.pollWait(STALL_LIMIT)) {
            throw stalled(this);
        }
        aio.pollCb();
    }

    @Override
    public void close() throws Exception {
        try {
            if (dataFile != null) {
                await(aio.close(dataFile, null));
            }
        } finally {
            aio.close();
        }
    }

    /** Waits for one setup request, running callbacks on this thread meanwhile. */
    private <T> T await(AioRequest<T> request) throws Exception {
        CompletableFuture<T> future = request.future();
        while (!future.isDone()) {
            if (!aio.pollWait(STALL_LIMIT)) {
                throw stalled(this);
            }
            aio.pollCb();
        }
        return future.get();
    }

    /** One of the {@link #DEPTH} places a request can be in flight, with its callbacks made once. */
    private final class Slot {
        final int index;
        final ByteBuffer buffer;
        final AioCallback<Integer> readDone = this::readDone;
        final AioCallback<Object> statDone = this::done;
        final AioCallback<AioFile> openDone = this::openDone;
        final AioCallback<Void> closeDone = this::done;

        Slot(int index) {
            this.index = index;
            this.buffer = workload.op == Op.READ ? ByteBuffer.allocateDirect(Workload.BLOCK_BYTES) : null;
        }

        private void readDone(Integer n, AioException error) {
            if (error == null && n != Workload.BLOCK_BYTES) {
                failed(index, new IllegalStateException("short read: " + n));
            } else {
                done(n, error);
            }
        }

        private void openDone(AioFile file, AioException error) {
            if (error != null) {
                failed(index, error);
            } else {
                aio.close(file, closeDone);
            }
        }

        private void done(Object result, AioException error) {
            if (error != null) {
                failed(index, error);
            } else {
                finished(index);
            }
        }
    }
}
