package io.linuxaio;

import com.sun.jna.LastErrorException;

/** The blocking work of pathsync, which opens, fsyncs and closes in one trip. Runs on a worker. */
final class SyncSyscalls {
    private SyncSyscalls() {}

    /**
     * open(2) read-only and non-blocking, fsync(2), close(2): IO::AIO's {@code aio_pathsync}, made one request
     * rather than IO::AIO's group of three. A close error after a good fsync is reported, since
     * some file systems (NFS) say only then that the data did not make it.
     */
    static void pathsync(byte[] path) {
        // O_NONBLOCK: a FIFO would otherwise hold the worker until some writer came.
        int fd = Posix.openat(Posix.AT_FDCWD, path, Fcntl.O_RDONLY | Fcntl.O_NONBLOCK | Fcntl.O_CLOEXEC, 0);
        try {
            Posix.fsync(fd);
        } catch (LastErrorException e) {
            try {
                Posix.close(fd);
            } catch (LastErrorException ignored) {
                // The fsync's error is the one to report; Linux frees the descriptor anyway.
            }
            throw e;
        }
        Posix.close(fd);
    }
}
