package io.linuxaio;

import static io.linuxaio.Polling.await;
import static io.linuxaio.Polling.eventually;

import java.io.FileOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Test helper: holds engine workers inside a system call for as long as a test needs, so that the
 * requests it submits meanwhile wait in the queue in a known order. Each held worker is opening a
 * FIFO for reading, which blocks in open(2) until a writer comes; {@link #close()} is that writer.
 */
final class BlockedWorkers implements AutoCloseable {
    private final LinuxAio aio;
    private final Path dir;
    /** The FIFOs whose opens still wait for a writer. */
    private final List<Path> fifos = new ArrayList<>();
    private final List<AioRequest<AioFile>> opens = new ArrayList<>();
    private int made;

    private BlockedWorkers(LinuxAio aio, Path dir) {
        this.aio = aio;
        this.dir = dir;
    }

    /** Occupies {@code n} workers of {@code aio} and returns once each has taken its blocking open. */
    static BlockedWorkers occupy(LinuxAio aio, Path dir, int n) throws Exception {
        BlockedWorkers blocked = new BlockedWorkers(aio, dir);
        blocked.add(n);
        return blocked;
    }

    /** Occupies {@code n} more workers. */
    void add(int n) throws Exception {
        for (int i = 0; i < n; i++) {
            Path fifo = Fifos.make(dir.resolve("blocking-fifo-" + made++));
            fifos.add(fifo);
            opens.add(aio.open(fifo.toString(), Fcntl.O_RDONLY, 0, null));
        }
        eventually("the workers take the blocking opens", () -> aio.nready() == 0);
    }

    /** The blocking opens, in the order they were made. */
    List<AioRequest<AioFile>> opens() {
        return opens;
    }

    /** Lets every held worker go: a writer arrives at each FIFO. Polls nothing; calling it again does nothing. */
    void release() throws Exception {
        for (Path fifo : fifos) {
            // Opening the write end returns at once, since a reader is waiting, and frees it.
            new FileOutputStream(fifo.toFile()).close();
        }
        fifos.clear();
    }

    /**
     * Lets every held worker go and closes what they opened, polling the engine's default context
     * on this thread. Calling it again does nothing.
     */
    @Override
    public void close() throws Exception {
        release();
        for (AioRequest<AioFile> open : opens) {
            await(aio, aio.close(await(aio, open), null));
        }
        opens.clear();
    }
}
