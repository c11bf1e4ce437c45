package io.linuxaio;

import static io.linuxaio.Fcntl.O_RDONLY;
import static io.linuxaio.Polling.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;

/**
 * What tests of the page cache's answers share: an engine of their own and a {@link DiskFiles}
 * directory under the build directory (eviction needs a disk file system; on tmpfs every page is
 * always "cached"), both closed after each test.
 */
abstract class PageCacheTestBase {
    final LinuxAio aio = new LinuxAio();
    final DiskFiles files;
    final Path dir;

    PageCacheTestBase(String prefix) throws IOException {
        files = new DiskFiles(prefix);
        dir = files.dir;
    }

    @AfterEach
    void closeEngineAndFiles() throws IOException {
        aio.close();
        files.close();
    }

    /** A file written and synced: its pages are clean, so that they can be evicted. */
    Path file(String name, byte[] content) throws IOException {
        return files.write(name, content);
    }

    /** {@code path} opened for reading. */
    AioFile open(Path path) throws Exception {
        return await(aio, aio.open(path.toString(), O_RDONLY, 0, null));
    }

    /** The file "out" in the directory, opened for writing: what a test sends to, as it would to a socket. */
    AioFile output() throws Exception {
        return await(aio, aio.open(dir.resolve("out").toString(), Fcntl.O_WRONLY | Fcntl.O_CREAT, 0600, null));
    }

    /** Closes each through the engine, waiting for each close. */
    void closeAll(AioFile... opened) throws Exception {
        for (AioFile file : opened) {
            await(aio, aio.close(file, null));
        }
    }

    static byte[] random(int size) {
        return DiskFiles.random(size);
    }

    private static final int POSIX_FADV_RANDOM = 1;

    /**
     * A file of which exactly the first {@code cached} bytes (to the end of their last page) are
     * in the page cache; opened for reading. With readahead off for the descriptor, everything is
     * dropped and that start read back through it. (Dropping only the end does not work where the
     * file system caches large folios: one that straddles the cut stays whole, and so does the file.)
     */
    AioFile openWithOnlyTheStartCached(String name, byte[] content, int cached) throws Exception {
        Path path = file(name, content);
        AioFile file = await(aio, aio.open(path.toString(), O_RDONLY, 0, null));
        assertEquals(0, Posix.posix_fadvise(file.fd(), 0, 0, POSIX_FADV_RANDOM));
        assertEquals(0, Posix.posix_fadvise(file.fd(), 0, 0, Posix.POSIX_FADV_DONTNEED));
        try (Memory buffer = new Memory(cached)) {
            assertEquals(cached, Posix.pread(file.fd(), Pointer.nativeValue(buffer), cached, 0));
        }
        return file;
    }

    /** One try of a test on a partly cached file: true if it met the case it is after (see below). */
    @FunctionalInterface
    interface Attempt {
        boolean on(AioFile file) throws Exception;
    }

    /**
     * Runs {@code attempt} on a file of which only the first {@code cached} bytes are in the page
     * cache (each time a new one, closed after), until it returns true; fails after five that
     * did not.
     *
     * <p>Why more than once: a read with RWF_NOWAIT that finds a page missing still starts the
     * kernel's read of it, without waiting, and after a short read the engine asks once more, to
     * tell the end of the file from a missing page. Where that disk read finishes between the two
     * tries (a fast disk, a slow emulated CPU such as CI's aarch64 check), the second finds the rest
     * cached and the whole read completes on the trying thread: right, but not the case a test of
     * the missing part is after, and it says so by returning false.
     */
    void withOnlyTheStartCached(String name, byte[] content, int cached, Attempt attempt) throws Exception {
        for (int i = 0; i < 5; i++) {
            AioFile file = openWithOnlyTheStartCached(name + "-" + i, content, cached);
            try {
                if (attempt.on(file)) {
                    return;
                }
            } finally {
                await(aio, aio.close(file, null));
            }
        }
        throw new AssertionError("five times running, the kernel read the missing part in before the second try");
    }

    /**
     * After a read of a file of which only the first {@code cached} bytes were in the page cache:
     * false if it went to no worker (the kernel read the rest in between the engine's two tries, see
     * {@link #withOnlyTheStartCached}); otherwise asserts that one read went to the pool and that
     * the workers read the rest and not the cached start, and returns true.
     */
    boolean aWorkerReadTheRest(InlineStats before, long workersReadBefore, int cached) throws IOException {
        if (aio.inlineStats().readsToPool() == before.readsToPool()) {
            return false;
        }
        assertEquals(before.readsToPool() + 1, aio.inlineStats().readsToPool());
        long byWorkers = WorkerIo.rchar() - workersReadBefore;
        assertTrue(byWorkers > 0 && byWorkers <= cached, "a worker read the rest, not the cached start: " + byWorkers);
        return true;
    }

    /**
     * Runs {@code submit} inside a callback of a pollCb, as a reader going on from one read to the
     * next does, or a server done with the files of a pass's responses.
     */
    void inCallback(Runnable submit) throws AioException {
        AtomicInteger ran = new AtomicInteger();
        AioRequest<Void> nop = aio.nop((v, e) -> {
            submit.run();
            ran.incrementAndGet();
        });
        await(aio, nop);
        assertEquals(1, ran.get());
    }

    /** A file written, synced and read once, so that all of it is in the page cache; opened for reading. */
    AioFile openCached(String name, byte[] content) throws Exception {
        Path path = file(name, content);
        Files.readAllBytes(path);
        return await(aio, aio.open(path.toString(), O_RDONLY, 0, null));
    }
}
