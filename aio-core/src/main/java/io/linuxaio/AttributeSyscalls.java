package io.linuxaio;

import java.nio.ByteBuffer;

/**
 * The blocking work of the requests that change a file's times; chmod, chown and truncate are one
 * system call each and made where they are submitted. Runs on a worker.
 */
final class AttributeSyscalls {
    private AttributeSyscalls() {}

    /**
     * utimensat(2), or futimens(3) when {@code path} is null, with the two {@code struct timespec}
     * (a 64-bit tv_sec and a 64-bit tv_nsec on 64-bit Linux) written to the worker's struct memory.
     */
    static void utime(Scratch scratch, int fd, byte[] path, long[] times, int flags) {
        ByteBuffer timespecs = scratch.fields();
        for (int i = 0; i < 4; i++) {
            timespecs.putLong(8 * i, times[i]);
        }
        if (path == null) {
            Posix.futimens(fd, scratch.struct());
        } else {
            Posix.utimensat(fd, path, scratch.struct(), flags);
        }
    }
}
