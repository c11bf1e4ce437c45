package io.linuxaio.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PageLockTest {
    @Test
    void locksEveryPageOfTheFileUntilClosed() throws Exception {
        try (Scratch scratch = new Scratch("page-lock-test")) {
            Path file = scratch.dir.resolve("data");
            DataFile.create(file, 4 << 20);
            long before = lockedKiB();
            try (PageLock lock = PageLock.lock(file)) {
                assertTrue(lockedKiB() - before >= 4096, "locked " + (lockedKiB() - before) + " KiB more");
            }
            assertEquals(before, lockedKiB());
        }
    }

    @Test
    void aMissingFileThrows() throws Exception {
        try (Scratch scratch = new Scratch("page-lock-test")) {
            assertThrows(NoSuchFileException.class, () -> PageLock.lock(scratch.dir.resolve("absent")));
        }
    }

    /** This process's locked memory, as the kernel counts it. */
    private static long lockedKiB() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmLck:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new AssertionError("no VmLck in /proc/self/status");
    }
}
