package io.linuxaio.benchmarks;

import io.linuxaio.AioCallback;
import io.linuxaio.AioContext;
import io.linuxaio.AioException;
import io.linuxaio.AioFile;
import io.linuxaio.AioRequest;
import io.linuxaio.Fcntl;
import io.linuxaio.LinuxAio;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * The engine under test: requests go to a completion context of a {@link LinuxAio}, and the polling
 * thread runs their callbacks with {@code pollWait()} and {@code pollCb()}. Either the pipeline owns
 * an engine with exactly {@code workers} workers and uses its default context, or it is one of
 * several polling threads, each with a context of its own on one shared engine, as a server's event
 * loops are.
 */
final class AioPipeline extends Pipeline {
    private final AioContext aio;
    private final AioFile dataFile;
    private final Slot[] slots = new Slot[DEPTH];

    AioPipeline(Workload workload, int workers) throws Exception {
        this(workload, engine(workers));
    }

    /** A pipeline polling {@code context}, which it closes at the end (an engine, if it is one). */
    AioPipeline(Workload workload, AioContext context) throws Exception {
        super(workload);
        aio = context;
        try {
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

    /** An engine with exactly {@code workers} workers. */
    static LinuxAio engine(int workers) throws InterruptedException {
        LinuxAio engine = new LinuxAio();
        try {
            engine.minParallel(workers);
            engine.maxParallel(workers);
            return engine;
        } catch (InterruptedException | RuntimeException | Error e) {
            engine.close();
            throw e;
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
