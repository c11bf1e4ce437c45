package io.linuxaio.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

/**
 * The file the read benchmarks read: written once with non-zero data (a sparse file would not be
 * read from the page cache the same way), then read end to end so that every page is cached.
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

    /** Reads the whole file, so that it sits in the page cache; returns its size. */
    static long warm(Path file) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK);
        long total = 0;
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            int n;
            while ((n = in.read(chunk.clear(), total)) > 0) {
                total += n;
            }
        }
        return total;
    }

    /**
     * The data file for a read benchmark: the one {@link #PROPERTY} names, or else one made now in
     * {@code scratch}. Either way it is warmed before the benchmark reads it.
     */
    static Path forBenchmark(Path scratch) {
        try {
            String shared = System.getProperty(PROPERTY);
            Path file;
            if (shared != null) {
                file = Path.of(shared);
            } else {
                file = scratch.resolve("data-1g");
                create(file, SIZE);
            }
            long size = warm(file);
            if (size < SIZE) {
                throw new IllegalStateException(file + " holds " + size + " bytes, not " + SIZE);
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
