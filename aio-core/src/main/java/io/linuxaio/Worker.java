package io.linuxaio;

import com.sun.jna.Memory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One worker thread's loop and its private native scratch memory: takes requests from the pool,
 * runs their blocking system calls, hands results to their contexts.
 */
final class Worker implements Runnable {
    /** Bounce buffer for byte[] and heap-buffer I/O: large enough that a big read is a few syscalls. */
    static final int SCRATCH_BYTES = 256 * 1024;

    private final WorkerPool pool;
    /** Set before the thread starts. */
    Thread thread;
    /** The request this worker runs now; null while it has none. Read by the pool's stall monitor. */
    volatile Request<?> current;
    /** Set by the thread that took this worker off the idle stack to hand it work. */
    volatile boolean woken;
    /** This thread's kernel thread id, for the stall monitor; 0 until it has started. */
    volatile int tid;
    /** The stall monitor's own note: the request it last found this worker asleep on. */
    Request<?> seenAsleepOn;
    private Memory scratch;
    private Memory statBuffer;
    private ByteBuffer statFields;

    Worker(WorkerPool pool) {
        this.pool = pool;
    }

    @Override
    public void run() {
        tid = KernelState.currentThreadId();
        try {
            Request<?> request;
            while ((request = pool.take(this)) != null) {
                execute(request);
            }
        } finally {
            if (scratch != null) {
                scratch.close();
            }
            if (statBuffer != null) {
                statBuffer.close();
            }
        }
    }

    private void execute(Request<?> request) {
        AioFile file = request.file;
        boolean closesFile = file != null && file.closeRequest() == request;
        if (!closesFile) {
            request.run(this);
        }
        boolean lastUser = file != null && file.release();
        if (!closesFile) {
            request.context.post(request);
        }
        if (lastUser) {
            // The close waited for every request that was using the descriptor; now nothing is.
            Request<Void> close = file.closeRequest();
            close.run(this);
            close.context.post(close);
        }
    }

    /** Native memory of {@link #SCRATCH_BYTES} owned by this worker, for copying to and from Java arrays. */
    Memory scratch() {
        if (scratch == null) {
            scratch = new Memory(SCRATCH_BYTES);
        }
        return scratch;
    }

    /** Native memory for one {@code struct statx} (or {@code struct open_how}), to pass to the kernel. */
    Memory statBuffer() {
        if (statBuffer == null) {
            statBuffer = new Memory(Posix.STATX_SIZE_BYTES);
            statFields = statBuffer.getByteBuffer(0, Posix.STATX_SIZE_BYTES).order(ByteOrder.nativeOrder());
        }
        return statBuffer;
    }

    /**
     * The same memory as {@link #statBuffer()}, as a buffer in the machine's byte order: its fields
     * are read and written in Java, where {@code Memory.getLong} and the like cost a JNI call each,
     * which for the twenty fields of a {@code Stat} came to 5–15 % of a stat's time on the worker.
     */
    ByteBuffer statFields() {
        statBuffer();
        return statFields;
    }
}
