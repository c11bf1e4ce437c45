package io.linuxaio.examples.http;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

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
        Files.createSymbolicLink(root.resolve("slash"), Path.of("/"));
        // A relative link with a '..' step that stays inside: openat2 may answer it EAGAIN when a
        // rename anywhere races that step.
        Files.createSymbolicLink(dir.resolve("sub").resolve("up-a.txt"), Path.of("../a.txt"));

        // Names that are bytes, not text: made by the shell, which Java's own file API cannot name
        // in every locale.
        Path names = Files.createDirectory(root.resolve("names"));
        createByBytes(names, nameBytes("caf", 0xE9, ".txt"), "a Latin-1 name");
        createByBytes(names, nameBytes("tab", '\t', "here.txt"), "a name with a TAB");
        createByBytes(names, nameBytes("line", '\n', "feed.txt"), "a name with a line feed");
        createByBytes(names, nameBytes("back\\slash.txt"), "a name with a backslash");
        mkdirByBytes(root, nameBytes(0xC0, 0xAE, 0xC0, 0xAE));
        createByBytes(root, nameBytes(0xC0, 0xAE, 0xC0, 0xAE, "/x.txt"), "behind an overlong dot-dot");
    }

    /** The bytes of the parts: a String as UTF-8, an Integer or Character as one byte. */
    static byte[] nameBytes(Object... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (Object part : parts) {
            if (part instanceof String text) {
                out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
            } else if (part instanceof Character c) {
                out.write(c);
            } else {
                out.write((Integer) part);
            }
        }
        return out.toByteArray();
    }

    /** Writes {@code content} to the file whose name, relative to {@code dir}, is exactly {@code name}. */
    static void createByBytes(Path dir, byte[] name, String content) throws IOException {
        shell(dir, "printf '%s' \"$2\" > \"$name\"", name, content);
    }

    /** Makes the directory whose name, relative to {@code dir}, is exactly {@code name}. */
    static void mkdirByBytes(Path dir, byte[] name) throws IOException {
        shell(dir, "mkdir \"$name\"", name, "");
    }

    /** Runs {@code command} in {@code dir} with $name set to the bytes of {@code name} by printf, and $2 to {@code arg}. */
    private static void shell(Path dir, String command, byte[] name, String arg) throws IOException {
        StringBuilder octal = new StringBuilder();
        for (byte b : name) {
            octal.append(String.format("\\%03o", b & 0xff));
        }
        // $(...) drops trailing newlines; the x keeps them.
        String script = "cd \"$0\" && name=$(printf \"$1\"; printf x) && name=${name%x} && " + command;
        Process process = new ProcessBuilder("sh", "-c", script, dir.toString(), octal.toString(), arg)
                .redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IOException("sh -c '" + command + "' failed in " + dir + ": " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    byte[] bytes(String relative) throws IOException {
        return Files.readAllBytes(root.resolve(relative));
    }

    static String ascii(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** Removes the whole tree; by rm, as Java cannot name every file in it in every locale. */
    @Override
    public void close() throws IOException {
        Process rm = new ProcessBuilder("rm", "-rf", "--", base.toString()).redirectErrorStream(true).start();
        try {
            String output = new String(rm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!rm.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) || rm.exitValue() != 0 || Files.exists(base)) {
                throw new IOException("rm -rf " + base + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
