package io.linuxaio.benchmarks;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * What a pipeline's requests work on: the operation, the data file for reads and the small files for
 * stat and open. It hands out the next offset or path; only the polling thread asks, so it needs no
 * locking.
 */
final class Workload {
    static final int BLOCK_BYTES = 4096;

    final Op op;
    final Path dataFile;
    private final long blocks;
    private final Path[] paths;
    private final String[] names;
    private final SplittableRandom random = new SplittableRandom(42);
    private int next;

    private Workload(Op op, Path dataFile, long dataBytes, List<Path> files) {
        this.op = op;
        this.dataFile = dataFile;
        this.blocks = dataBytes / BLOCK_BYTES;
        this.paths = files.toArray(new Path[0]);
        this.names = files.stream().map(Path::toString).toArray(String[]::new);
    }

    /** 4 KiB reads spread at random over the first {@code dataBytes} of {@code dataFile}. */
    static Workload reads(Path dataFile, long dataBytes) {
        if (dataBytes < BLOCK_BYTES) {
            throw new IllegalArgumentException("data file smaller than one block: " + dataBytes);
        }
        return new Workload(Op.READ, Objects.requireNonNull(dataFile), dataBytes, List.of());
    }

    /** Stats or opens ({@code op}) of {@code files}, taken round-robin. */
    static Workload onFiles(Op op, List<Path> files) {
        if (op == Op.READ || files.isEmpty()) {
            throw new IllegalArgumentException(op + " on " + files.size() + " files");
        }
        return new Workload(op, null, 0, files);
    }

    long nextOffset() {
        return random.nextLong(blocks) * BLOCK_BYTES;
    }

    /** Index of the next small file; see {@link #path} and {@link #name}. */
    int nextFile() {
        int i = next;
        next = i + 1 == paths.length ? 0 : i + 1;
        return i;
    }

    Path path(int file) {
        return paths[file];
    }

    String name(int file) {
        return names[file];
    }
}
