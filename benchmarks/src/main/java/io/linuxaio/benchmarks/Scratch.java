package io.linuxaio.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.stream.Stream;

/**
 * A temporary directory that is deleted with everything in it when closed, after closing whatever
 * was tied to it with {@link #own}.
 */
final class Scratch implements AutoCloseable {
    /** How many small files the stat and open benchmarks cycle through. */
    static final int SMALL_FILES = 1024;

    final Path dir;
    private final Deque<AutoCloseable> owned = new ArrayDeque<>();

    Scratch(String prefix) throws IOException {
        dir = Files.createTempDirectory(prefix);
    }

    /** Makes {@code count} files of 100 bytes each, in two levels of directories as a site would have. */
    List<Path> smallFiles(int count) throws IOException {
        byte[] content = new byte[100];
        List<Path> files = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Path sub = Files.createDirectories(dir.resolve("small").resolve("d" + i % 32));
            files.add(Files.write(sub.resolve("f" + i + ".html"), content));
        }
        return files;
    }

    /** Closes {@code resource} when this directory is deleted, before it; the last tied, the first closed. */
    <T extends AutoCloseable> T own(T resource) {
        owned.push(resource);
        return resource;
    }

    @Override
    public void close() throws Exception {
        while (!owned.isEmpty()) {
            owned.pop().close();
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}
