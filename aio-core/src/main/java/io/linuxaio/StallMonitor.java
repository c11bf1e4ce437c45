package io.linuxaio;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Stall detection, whole: the thread that grows the pool past its eager workers, and only while
 * requests wait because workers are stuck in the kernel, as Go's runtime adds threads for those
 * blocked in system calls.
 *
 * <p>It sleeps until a request finds no idle worker in a pool that has its eager workers already
 * ({@link #nudge()}). Then, every {@value WorkerPool#STALL_MILLIS} ms while requests keep waiting,
 * it looks at the queues: if a request is still at the head of its queue since the last look (so
 * it has waited a millisecond or more), it counts the busy workers found asleep in the kernel at
 * this look and the one before, on the same request, and starts as many more, up to the waiting
 * requests and the pool's limit. No clock is read: the looks are a millisecond apart, which is the
 * measure.
 *
 * <p>Asleep in the kernel is what tells a slow disk from a busy CPU: a worker stuck in a read of an
 * uncached page sleeps (state D, or S for a FIFO or a network file system), while a worker that is
 * merely waiting for a core is runnable (R), and more threads would only share the same cores. So
 * page-cached work never grows the pool. The state is read from
 * {@code /proc/self/task/TID/stat}, opened only for a look and closed at once. Asleep at two looks
 * in a row on the same request, because a GC pause also puts workers to sleep (returning from a
 * system call into a safepoint), but only for a moment.
 */
final class StallMonitor implements Runnable {
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(WorkerPool.STALL_MILLIS);
    /** Enough for the tid, the longest comm (15 bytes, in parentheses) and the state field. */
    private static final int STAT_BYTES = 128;

    private final WorkerPool pool;
    private final Thread thread;
    /** Set by a nudge, cleared by the monitor when nothing waits any more. */
    private volatile boolean active;

    // The monitor thread's own notes.
    private Request<?>[] headsAtLastLook = new Request<?>[WorkerPool.LEVELS];
    private final Map<Worker, Request<?>> seenAsleepOn = new IdentityHashMap<>();
    private Memory statBuffer;

    StallMonitor(WorkerPool pool) {
        this.pool = pool;
        this.thread = new Thread(this, "aio-pool-monitor");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** A request waits with no idle worker: look at the pool from now on, until none waits. */
    void nudge() {
        if (!active) {
            active = true;
            LockSupport.unpark(thread);
        }
    }

    /** Wakes the monitor so it sees the pool stopping and ends. */
    void stop() {
        LockSupport.unpark(thread);
    }

    @Override
    public void run() {
        statBuffer = new Memory(STAT_BYTES);
        try {
            while (!pool.isStopping()) {
                if (!active) {
                    LockSupport.park(this);
                    continue;
                }
                LockSupport.parkNanos(this, TICK_NANOS);
                if (!look()) {
                    active = false;
                    // A nudge between the look and the line above would be lost: look once more.
                    if (pool.requestsWaitWithNoIdleWorker()) {
                        active = true;
                    }
                }
            }
        } finally {
            statBuffer.close();
        }
    }

    /** One look; false when no request waits for a worker any more. */
    private boolean look() {
        if (!pool.requestsWaitWithNoIdleWorker()) {
            forget();
            return false;
        }
        Request<?>[] heads = pool.queueHeads();
        boolean headWaited = false;
        for (int i = 0; i < heads.length; i++) {
            headWaited |= heads[i] != null && heads[i] == headsAtLastLook[i];
        }
        headsAtLastLook = heads;
        if (!headWaited) {
            return true;
        }
        int stuck = 0;
        for (Worker worker : pool.workers()) {
            Request<?> current = worker.current;
            int tid = worker.tid;
            if (current != null && tid != 0 && asleepInKernel(tid)) {
                if (seenAsleepOn.put(worker, current) == current) {
                    stuck++;
                }
            } else {
                seenAsleepOn.remove(worker);
            }
        }
        if (stuck > 0) {
            pool.startStalled(stuck);
        }
        return true;
    }

    /** Going idle: hold on to no finished request and no retired worker. */
    private void forget() {
        Arrays.fill(headsAtLastLook, null);
        seenAsleepOn.clear();
    }

    /** True if thread {@code tid} of this process sleeps in the kernel now: any state but running (R). */
    private boolean asleepInKernel(int tid) {
        int fd;
        try {
            fd = Posix.open(NativePath.encode("/proc/self/task/" + tid + "/stat"), Fcntl.O_RDONLY | Fcntl.O_CLOEXEC, 0);
        } catch (LastErrorException e) {
            return false; // The thread has gone, or /proc is not there: count it as not stuck.
        }
        int n;
        try {
            n = (int) Posix.pread(fd, Pointer.nativeValue(statBuffer), STAT_BYTES, 0);
        } catch (LastErrorException e) {
            return false;
        } finally {
            Posix.close(fd);
        }
        // "tid (comm) S ...": the state follows the last ')' (comm itself may hold one).
        for (int i = n - 1; i > 0; i--) {
            if (statBuffer.getByte(i) == ')' && i + 2 < n) {
                return statBuffer.getByte(i + 2) != 'R';
            }
        }
        return false;
    }

    /**
     * The calling thread's kernel thread id, from the {@code /proc/thread-self} link
     * ({@code PID/task/TID}), or 0 if there is none; read in Java, since glibc's gettid wrapper is
     * too recent to bind everywhere.
     */
    static int currentThreadId() {
        try {
            return Integer.parseInt(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
        } catch (IOException | RuntimeException e) {
            return 0; // No /proc: the stall monitor then never counts this worker as stuck.
        }
    }
}
