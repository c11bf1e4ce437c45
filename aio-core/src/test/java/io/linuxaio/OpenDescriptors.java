package io.linuxaio;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test helper: this process's open descriptors on files beneath a directory, from /proc/self/fd. */
final class OpenDescriptors {
    private OpenDescriptors() {}

    /** How many descriptors are open on {@code dir} or anything beneath it. */
    static int beneath(Path dir) throws IOException {
        String prefix = dir.toRealPath().toString();
        int n = 0;
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.equals(prefix) || target.startsWith(prefix + "/")) {
                        n++;
                    }
                } catch (IOException closedMeanwhile) {
                    // The descriptor of the listing itself, or one closed while we looked.
                }
            }
        }
        return n;
    }
}
