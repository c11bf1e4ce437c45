package io.linuxaio.benchmarks.netty;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/**
 * One file the benchmark servers send: the request byte that names it, where it is, and its bytes,
 * which the client compares with every response. Writing it and reading it back leaves it in the
 * page cache, so the benchmark measures the send path rather than the disk.
 */
record ServedFile(byte request, String label, Path path, byte[] content) {
    static ServedFile write(Path dir, char request, String label, int size, long seed)
            throws IOException {
        byte[] content = new byte[size];
        new Random(seed).nextBytes(content);
        Path path = Files.write(dir.resolve(label + ".bin"), content);
        if (!Arrays.equals(Files.readAllBytes(path), content)) {
            throw new IOException("read back differs: " + path);
        }
        return new ServedFile((byte) request, label, path, content);
    }

    int size() {
        return content.length;
    }
}
