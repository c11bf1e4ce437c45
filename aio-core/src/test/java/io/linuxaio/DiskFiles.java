package io.linuxaio;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.Stream;

/**
 * A directory of files for page-cache tests, under the build directory: eviction needs a disk file
 * system, and /tmp may be tmpfs, where every page is always "cached". Closing deletes it.
 */
final class DiskFiles implements AutoCloseable {
    final Path dir;

    DiskFiles(String prefix) throws IOException {
        Path target = Path.of(System.getProperty("user.dir"), "target");
        Files.createDirectories(target);
        dir = Files.createTempDirectory(target, prefix);
    }

    /** Writes a file and syncs it: its pages are clean, so that POSIX_FADV_DONTNEED can drop them. */
    Path write(String name, byte[] content) throws IOException {
        Path path = dir.resolve(name);
        Files.write(path, content);
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        return path;
    }

    /** {@code size} random bytes, the same for the same size. */
    static byte[] random(int size) {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        return data;
    }

    @Override
    public void close() throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
