package io.linuxaio;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test helper: what this process's aio-worker threads have read, from /proc/self/task/TID/io. */
final class WorkerIo {
    private WorkerIo() {}

    /** Bytes the worker threads alive now have read by system calls ({@code rchar}), cached or not. */
    static long rchar() throws IOException {
        long total = 0;
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    if (!Files.readString(task.resolve("comm")).startsWith("aio-worker")) {
                        continue;
                    }
                    for (String line : Files.readAllLines(task.resolve("io"))) {
                        if (line.startsWith("rchar:")) {
                            total += Long.parseLong(line.substring(6).trim());
                        }
                    }
                } catch (IOException exited) {
                    // The thread ended while we looked.
                }
            }
        }
        return total;
    }
}
