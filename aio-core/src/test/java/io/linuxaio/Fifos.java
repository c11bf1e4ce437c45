package io.linuxaio;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Test helper: named pipes, whose opens block until the other end comes, to hold a worker in a system call. */
final class Fifos {
    private Fifos() {}

    /** Makes a FIFO at {@code fifo} with mkfifo(1) and returns its path. */
    static Path make(Path fifo) throws Exception {
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertTrue(mkfifo.waitFor(30, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "mkfifo " + fifo);
        return fifo;
    }
}
