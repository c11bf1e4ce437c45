package io.linuxaio.examples.http;

import io.linuxaio.AioFile;
import io.linuxaio.Fcntl;
import io.linuxaio.LinuxAio;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Holds one worker of an engine, to force an interleaving: an open of a FIFO that has no writer
 * sleeps in the kernel ({@code wait_for_partner}) until {@link #release()} opens the writing end.
 * The FIFO is made at {@code fifo}, which must not exist, and removed by {@link #close()}.
 */
final class WorkerHold implements AutoCloseable {
    private final LinuxAio engine;
    private final Path fifo;
    private final CompletableFuture<AioFile> opened;
    private boolean released;

    WorkerHold(LinuxAio engine, Path fifo) throws IOException, InterruptedException {
        this.engine = engine;
        this.fifo = fifo;
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        if (!mkfifo.waitFor(10, TimeUnit.SECONDS) || mkfifo.exitValue() != 0) {
            throw new IOException("mkfifo " + fifo + " failed");
        }
        opened = engine.open(fifo.toString(), Fcntl.O_RDONLY, 0, null).future();
    }

    /** Lets the held open finish. */
    void release() throws IOException {
        if (!released) {
            released = true;
            new FileOutputStream(fifo.toFile()).close();
        }
    }

    /** Releases the worker, closes what the open gave (polling the engine's default context here), and removes the FIFO. */
    @Override
    public void close() throws Exception {
        release();
        poll(opened::isDone);
        engine.close(opened.get(), null);
        poll(() -> engine.nreqs() == 0);
        Files.delete(fifo);
    }

    /** Runs the engine's default context's callbacks here until {@code done}; fails after a minute. */
    private void poll(java.util.function.BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the held worker's open and close did not finish within a minute");
            }
            engine.pollWait(Duration.ofMillis(100));
            engine.pollCb();
        }
    }

    /** How many threads of this process sleep in the kernel waiting for the other end of a FIFO. */
    static long threadsInFifoOpen() {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            return tasks.filter(task -> {
                try {
                    return Files.readString(task.resolve("wchan")).equals("wait_for_partner");
                } catch (IOException gone) {
                    return false;
                }
            }).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
