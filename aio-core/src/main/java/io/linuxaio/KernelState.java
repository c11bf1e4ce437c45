package io.linuxaio;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether a worker thread is running or asleep in the kernel, read from
 * {@code /proc/self/task/TID/stat} by the pool's {@link StallMonitor}, the only thread that uses it.
 *
 * <p>This is what tells a slow disk from a busy CPU: a worker stuck in a read of an uncached page
 * sleeps in the kernel (state D, or S for a FIFO or a network file system), while a worker that is
 * merely waiting for a core to run on is runnable (R). The file is opened only for a look and
 * closed at once, so workers hold no extra descriptors.
 */
final class KernelState implements AutoCloseable {
    /** Enough for the tid, the longest comm (15 bytes, in parentheses) and the state field. */
    private static final int READ_BYTES = 128;

    private final Memory buffer = new Memory(READ_BYTES);

    /**
     * The calling thread's kernel thread id, from the {@code /proc/thread-self} link
     * ({@code PID/task/TID}), or 0 if there is none; read in Java, since glibc's gettid wrapper
     * is too recent to bind everywhere.
     */
    static int currentThreadId() {
        try {
            return Integer.parseInt(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
        } catch (IOException | RuntimeException e) {
            return 0; // No /proc: the stall monitor then never counts this worker as stuck.
        }
    }

    /** True if thread {@code tid} of this process sleeps in the kernel now: any state but running (R). */
    boolean asleep(int tid) {
        int fd;
        try {
            fd = Posix.open(NativePath.encode("/proc/self/task/" + tid + "/stat"), Fcntl.O_RDONLY | Fcntl.O_CLOEXEC, 0);
        } catch (LastErrorException e) {
            return false; // The thread has gone, or /proc is not there: count it as not stuck.
        }
        int n;
        try {
            n = (int) Posix.pread(fd, Pointer.nativeValue(buffer), READ_BYTES, 0);
        } catch (LastErrorException e) {
            return false;
        } finally {
            Posix.close(fd);
        }
        // "tid (comm) S ...": the state follows the last ')' (comm itself may hold one).
        for (int i = n - 1; i > 0; i--) {
            if (buffer.getByte(i) == ')' && i + 2 < n) {
                return buffer.getByte(i + 2) != 'R';
            }
        }
        return false;
    }

    @Override
    public void close() {
        buffer.close();
    }
}
