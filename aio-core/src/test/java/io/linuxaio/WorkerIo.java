package io.linuxaio;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test helper: what this process's aio-worker threads have read and how often they slept, from /proc/self/task. */
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

    /**
     * How many times thread {@code tid} of this process has gone to sleep (its voluntary context
     * switches: parked, waiting for a lock, blocked in a system call), or -1 if it has ended.
     */
    static long sleeps(int tid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/task/" + tid + "/status"))) {
                if (line.startsWith("voluntary_ctxt_switches:")) {
                    return Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
                }
            }
            throw new AssertionError("no voluntary_ctxt_switches in /proc/self/task/" + tid + "/status");
        } catch (IOException ended) {
            return -1;
        }
    }
}
