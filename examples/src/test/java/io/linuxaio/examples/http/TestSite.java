package io.linuxaio.examples.http;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.Stream;

/**
 * A temporary tree for server tests: {@code root/} is served, {@code outside/} sits next to it and
 * must never be reachable.
 */
final class TestSite implements AutoCloseable {
    static final String SECRET = "the secret outside the root";
    static final int DATA_BYTES = 1 << 20;
    static final long BIG_BYTES = 64L << 20;

    final Path base;
    final Path root;
    final Path outside;
    final byte[] data;

    TestSite() throws IOException {
        base = Files.createTempDirectory("file-server-test-");
        root = Files.createDirectory(base.resolve("root"));
        outside = Files.createDirectory(base.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), SECRET);

        Files.writeString(root.resolve("hello.txt"), "hello, world\n");
        Files.writeString(root.resolve("style.css"), "body { color: red }\n");
        Files.write(root.resolve("empty.txt"), new byte[0]);
        data = new byte[DATA_BYTES];
        new Random(7).nextBytes(data);
        Files.write(root.resolve("data.bin"), data);
        try (RandomAccessFile big = new RandomAccessFile(root.resolve("big.bin").toFile(), "rw")) {
            big.setLength(BIG_BYTES); // sparse: costs no disk, reads as zeros
        }

        Path dir = Files.createDirectory(root.resolve("dir"));
        Files.writeString(dir.resolve("a.txt"), "a");
        Files.writeString(dir.resolve("<b>&\"quote'.txt"), "odd name");
        Files.writeString(dir.resolve("caf\u00e9 #1?.txt"), "unicode name");
        Files.createDirectory(dir.resolve("sub"));

        Path site = Files.createDirectory(root.resolve("site"));
        Files.writeString(site.resolve("index.html"), "<h1>index</h1>");

        Files.createSymbolicLink(root.resolve("inside-link.txt"), Path.of("hello.txt"));
        Files.createSymbolicLink(root.resolve("inside-dir"), Path.of("dir"));
        // Absolute links that lead back inside: RESOLVE_BENEATH refuses them, the server must not.
        Files.createSymbolicLink(root.resolve("absolute-inside-link.txt"), root.resolve("hello.txt"));
        Files.createSymbolicLink(root.resolve("absolute-inside-site"), root.resolve("site"));
        Files.createSymbolicLink(root.resolve("outside-link.txt"), outside.resolve("secret.txt"));
        Files.createSymbolicLink(root.resolve("outside-dir"), outside);
        Files.createSymbolicLink(root.resolve("relative-escape.txt"), Path.of("../outside/secret.txt"));
        Files.createSymbolicLink(dir.resolve("up-link"), Path.of("../.."));
    }

    byte[] bytes(String relative) throws IOException {
        return Files.readAllBytes(root.resolve(relative));
    }

    static String ascii(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() throws IOException {
        try (Stream<Path> walk = Files.walk(base)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
