package io.linuxaio.benchmarks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

/**
 * The file the read benchmarks read: written once with non-zero data (a sparse file would not be
 * read from the page cache the same way), then held in the page cache by a {@link PageLock}.
 */
final class DataFile {
    /** The size the read benchmarks use. */
    static final long SIZE = 1L << 30;
    /** Set by {@link CoreRun}: a data file made once for every fork of the run. */
    static final String PROPERTY = "linuxaio.bench.dataFile";

    private static final int CHUNK = 1 << 20;

    private DataFile() {}

    /** Writes {@code size} bytes (a multiple of 4096) of pseudo-random data to a new file. */
    static void create(Path file, long size) throws IOException {
        if (size <= 0 || size % Workload.BLOCK_BYTES != 0) {
            throw new IllegalArgumentException("size must be a positive multiple of 4096: " + size);
        }
        byte[] pattern = new byte[CHUNK];
        new SplittableRandom(1).nextBytes(pattern);
        ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK);
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (long written = 0; written < size; ) {
                chunk.clear().put(pattern, 0, (int) Math.min(CHUNK, size - written)).flip();
                while (chunk.hasRemaining()) {
                    written += out.write(chunk, written);
                }
            }
        }
    }

    /**
     * The data file for a read benchmark: the one {@link #PROPERTY} names, or else one made now in
     * {@code scratch}. Either way its pages are locked in memory until {@code scratch} is closed.
     */
    static Path forBenchmark(Scratch scratch) throws IOException {
        String shared = System.getProperty(PROPERTY);
        Path file;
        if (shared != null) {
            file = Path.of(shared);
        } else {
            file = scratch.dir.resolve("data-1g");
            create(file, SIZE);
        }
        long size = Files.size(file);
        if (size < SIZE) {
            throw new IllegalStateException(file + " holds " + size + " bytes, not " + SIZE);
        }
        scratch.own(PageLock.lock(file));
        return file;
    }
}
