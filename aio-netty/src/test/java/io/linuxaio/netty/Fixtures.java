package io.linuxaio.netty;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

/** Test helpers: files of known content, waiting with a deadline, and what /proc says about this process. */
final class Fixtures {
    static final Duration DEADLINE = Duration.ofSeconds(60);

    private Fixtures() {}

    /** {@link #randomFile}, then read through once, so that all of it is in the page cache. */
    static Path cachedRandomFile(Path dir, String name, long size, long seed) throws IOException {
        Path path = randomFile(dir, name, size, seed);
        try (InputStream in = Files.newInputStream(path)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return path;
    }

    /** A file of {@code size} pseudo-random bytes, the same for the same seed. */
    static Path randomFile(Path dir, String name, long size, long seed) throws IOException {
        Path path = dir.resolve(name);
        SplittableRandom random = new SplittableRandom(seed);
        byte[] block = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(path)) {
            for (long left = size; left > 0; ) {
                for (int i = 0; i < block.length; i += 8) {
                    long v = random.nextLong();
                    for (int b = 0; b < 8; b++) {
                        block[i + b] = (byte) (v >>> (8 * b));
                    }
                }
                int n = (int) Math.min(block.length, left);
                out.write(block, 0, n);
                left -= n;
            }
        }
        return path;
    }

    static byte[] sha256(Path path) throws IOException {
        MessageDigest digest = sha256();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(path)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                digest.update(buf, 0, n);
            }
        }
        return digest.digest();
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** Waits until {@code condition} holds; fails with {@code what} after {@link #DEADLINE}. */
    static void await(BooleanSupplier condition, Supplier<String> what) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + DEADLINE + ": " + what.get());
            }
            // Files in /proc and thread exits send no notice: look again shortly.
            LockSupport.parkNanos(2_000_000);
        }
    }

    /** Runs {@code task} on the channel's loop and returns its result. */
    static <T> T onLoop(io.netty.channel.Channel ch, java.util.concurrent.Callable<T> task) {
        try {
            return ch.eventLoop().submit(task).get(DEADLINE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The readable bytes of a received {@code ByteBuf}, which is released. */
    static byte[] bytesOf(Object msg) {
        io.netty.buffer.ByteBuf buf = (io.netty.buffer.ByteBuf) msg;
        try {
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            return bytes;
        } finally {
            buf.release();
        }
    }

    /** Open file descriptors of this process. */
    static List<String> openFds() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.map(fd -> {
                try {
                    return fd.getFileName() + " -> " + Files.readSymbolicLink(fd);
                } catch (IOException gone) {
                    return null; // the directory stream's own fd, or one closed meanwhile
                }
            }).filter(s -> s != null).collect(Collectors.toList());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * {@link #openFds()} less the io_uring instances of completion contexts: a context keeps one
     * for the reads its callbacks batch (see aio-core's RingBatch), made at its first batch and
     * closed with it, so one may appear while a test serves, and is no leak.
     */
    static List<String> openFdsButRings() {
        return openFds().stream().filter(s -> !s.endsWith(RING)).collect(Collectors.toList());
    }

    /** io_uring instances open in this process. */
    static long rings() {
        return openFds().stream().filter(s -> s.endsWith(RING)).count();
    }

    private static final String RING = "anon_inode:[io_uring]";

    static long eventFds() {
        return openFds().stream().filter(s -> s.endsWith("anon_inode:[eventfd]")).count();
    }

    static List<String> aioWorkers() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(name -> name.startsWith("aio-worker-")).collect(Collectors.toList());
    }

    /** Bytes each thread of this process has read through read-family system calls, by thread id. */
    static Map<String, long[]> threadReads() {
        Map<String, long[]> reads = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    String comm = Files.readString(task.resolve("comm")).strip();
                    long rchar = Files.readAllLines(task.resolve("io")).stream()
                            .filter(l -> l.startsWith("rchar:")).mapToLong(l -> Long.parseLong(l.substring(6).strip()))
                            .findFirst().orElseThrow();
                    reads.put(task.getFileName() + " " + comm, new long[] {rchar});
                } catch (IOException exited) {
                    // the thread ended while we looked
                }
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return reads;
    }

    /** The bits of libc the tests need that the JDK lacks. */
    private interface LibC extends com.sun.jna.Library {
        LibC INSTANCE = com.sun.jna.Native.load("c", LibC.class);
        int POSIX_FADV_DONTNEED = 4;
        int O_RDONLY = 0;

        int open(String path, int flags);

        int close(int fd);

        int posix_fadvise(int fd, long offset, long len, int advice);
    }

    /**
     * Drops a file's pages from the page cache, so that reading it needs the disk again. The file
     * must be clean (written and synced) and on a disk file system: tmpfs keeps every page.
     */
    static void evict(Path file) throws IOException {
        evict(file, 0);
    }

    /** As {@link #evict(Path)}, the pages from {@code offset} to the end only. */
    static void evict(Path file, long offset) throws IOException {
        try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        int fd = LibC.INSTANCE.open(file.toString(), LibC.O_RDONLY);
        if (fd < 0) {
            throw new IOException("cannot open " + file);
        }
        try {
            int error = LibC.INSTANCE.posix_fadvise(fd, offset, 0, LibC.POSIX_FADV_DONTNEED);
            if (error != 0) {
                throw new IOException("posix_fadvise: " + error);
            }
        } finally {
            LibC.INSTANCE.close(fd);
        }
    }

    /**
     * Makes a test's {@code @TempDir} on the build's own (disk) file system, for files a test
     * evicts: /tmp may be tmpfs, which keeps every page. JUnit deletes it after the test.
     */
    static final class OnDisk implements TempDirFactory {
        @Override
        public Path createTempDirectory(AnnotatedElementContext element, ExtensionContext extension) throws IOException {
            Path target = Path.of(System.getProperty("user.dir"), "target");
            Files.createDirectories(target);
            return Files.createTempDirectory(target, "disk-");
        }
    }
}
