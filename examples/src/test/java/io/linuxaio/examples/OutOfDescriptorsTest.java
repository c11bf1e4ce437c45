package io.linuxaio.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server under a small descriptor limit ({@code prlimit}), in a JVM of its own: more clients
 * than descriptors must neither kill it nor stop it serving once they go, and SIGTERM still ends
 * it with status 0.
 */
class OutOfDescriptorsTest {
    private static final Pattern SERVING = Pattern.compile("Serving .+ at http://127\\.0\\.0\\.1:(\\d+)/");
    private static final long BIG = 16L << 20;

    @TempDir
    Path root;
    private Process process;
    private Path stdout;
    private Path stderr;
    private final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (Socket socket : sockets) {
            socket.close();
        }
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        for (Path file : new Path[] {stdout, stderr}) {
            if (file != null) {
                Files.deleteIfExists(file);
            }
        }
    }

    /** Starts the server on {@link #root} under {@code prefix} (prlimit) with {@code jvmArgs}; returns its port. */
    private int start(List<String> prefix, List<String> jvmArgs, String... args) throws Exception {
        Files.writeString(root.resolve("hello.txt"), "hello\n");
        try (RandomAccessFile big = new RandomAccessFile(root.resolve("big.bin").toFile(), "rw")) {
            big.setLength(BIG);
        }
        List<String> all = new ArrayList<>(List.of("--root", root.toString(), "--port", "0", "--quiet", "--threads", "2"));
        all.addAll(List.of(args));
        stdout = Files.createTempFile("out-of-descriptors-", ".out");
        stderr = Files.createTempFile("out-of-descriptors-", ".err");
        process = new ProcessBuilder(ChildJvm.command(prefix, jvmArgs, StaticFileServer.class, all.toArray(String[]::new)))
                .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
        await("the server says where it listens", () -> SERVING.matcher(read(stdout)).find());
        Matcher serving = SERVING.matcher(read(stdout));
        assertTrue(serving.find());
        return Integer.parseInt(serving.group(1));
    }

    @Test
    void runningOutOfDescriptorsPausesAcceptingAndTheServerRecoversWhenTheyFree() throws Exception {
        int port = start(List.of("prlimit", "--nofile=200:200"), List.of(), "--max-connections", "100000");
        // Serve each kind of answer once first: the test's classpath has directories, whose classes,
        // unlike those of the server's jar, each take a descriptor to load.
        try (Socket warm = connect(port)) {
            assertEquals(200, SocketHttp.status(SocketHttp.get(warm, "/hello.txt")));
            assertEquals(404, SocketHttp.status(SocketHttp.get(warm, "/missing")));
            assertEquals(200, SocketHttp.status(SocketHttp.get(warm, "/")));
        }
        Socket kept = connect(port);
        assertEquals(200, SocketHttp.status(SocketHttp.get(kept, "/hello.txt")));
        Socket download = new Socket();
        sockets.add(download);
        download.setReceiveBufferSize(16 * 1024);
        download.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        download.setSoTimeout(30_000);
        download.getOutputStream().write("GET /big.bin HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals(200, SocketHttp.status(SocketHttp.head(download.getInputStream())));
        assertEquals(1 << 16, download.getInputStream().readNBytes(1 << 16).length);

        // More idle connections than the server has descriptors: the kernel completes their
        // handshakes, the server's accept(2) runs out.
        List<Socket> idle = new ArrayList<>();
        while (!read(stderr).contains("Too many open files")) {
            assertTrue(idle.size() < 400, "no EMFILE after " + idle.size() + " connections; stderr: " + read(stderr));
            for (int i = 0; i < 10; i++) {
                idle.add(connect(port));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        assertTrue(process.isAlive());
        for (int i = 0; i < 10; i++) {
            idle.add(connect(port)); // waiting in the backlog for the listener's pause to end
        }
        // A request that needs a descriptor gets 503 to retry, on a connection that stays open;
        // the download already under way goes on to its last byte. A descriptor another thread
        // of the server held for a moment as accept(2) failed (the stall monitor reading /proc, a
        // class loaded from the test's directories) is free after it, until the listener, its
        // pause over, accepts a waiting connection with it and says so: a request may find it
        // before that, and not after.
        String busy = SocketHttp.get(kept, "/hello.txt");
        if (SocketHttp.status(busy) == 200) {
            await("the listener takes the descriptor that was free", () -> read(stderr).contains("accepting connections again"));
            busy = SocketHttp.get(kept, "/hello.txt");
        }
        assertEquals(503, SocketHttp.status(busy), busy);
        assertTrue(busy.contains("Retry-After: 1") || busy.toLowerCase().contains("retry-after: 1"), busy);
        long total = 1 << 16;
        byte[] buffer = new byte[1 << 16];
        InputStream body = download.getInputStream();
        while (total < BIG) {
            int n = body.read(buffer, 0, (int) Math.min(buffer.length, BIG - total));
            if (n < 0) {
                break;
            }
            total += n;
        }
        assertEquals(BIG, total, "the download in flight finished");

        for (Socket socket : idle) {
            socket.close();
        }
        await("a new connection is served again", () -> {
            try (Socket again = new Socket()) {
                again.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
                again.setSoTimeout(10_000);
                return SocketHttp.status(SocketHttp.get(again, "/hello.txt")) == 200;
            } catch (IOException notYet) {
                return false;
            }
        });
        assertEquals(200, SocketHttp.status(SocketHttp.get(kept, "/hello.txt")), "the connection kept through it all is served");

        String errors = read(stderr);
        assertEquals(1, count(errors, "cannot accept connections"), "reported once, not per failed accept: " + errors);
        assertEquals(1, count(errors, "accepting connections again"), errors);
        stopsWithStatus0();
    }

    @Test
    void theDefaultCapClosesConnectionsBeyondItAndLeavesDescriptorsForFiles() throws Exception {
        int port = start(List.of("prlimit", "--nofile=200:200"), List.of());
        int cap = (200 - 128) / 2;
        Socket kept = connect(port);
        assertEquals(200, SocketHttp.status(SocketHttp.get(kept, "/hello.txt")));
        int served = 0;
        int closed = 0;
        for (int i = 0; i < 100; i++) {
            Socket socket = connect(port);
            try {
                socket.getOutputStream().write("GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                String response = SocketHttp.head(socket.getInputStream());
                assertEquals(200, SocketHttp.status(response), response);
                served++;
            } catch (IOException closedAtOnce) {
                closed++;
            }
        }
        assertEquals(cap - 1, served, "the cap counts the connection kept");
        assertEquals(100 - (cap - 1), closed);
        assertEquals(200, SocketHttp.status(SocketHttp.get(kept, "/hello.txt")), "descriptors are left for the files of those admitted");
        assertTrue(read(stderr).contains(cap + " connections open, the most allowed"), read(stderr));
        stopsWithStatus0();
    }

    @Test
    void theSoftLimitIsRaisedToTheHardOneAtStart() throws Exception {
        // -XX:-MaxFDLimit: HotSpot would raise it itself otherwise, and other JVMs may not.
        start(List.of("prlimit", "--nofile=150:4096"), List.of("-XX:-MaxFDLimit"));
        String limits = Files.readString(Path.of("/proc/" + process.pid() + "/limits"));
        Matcher openFiles = Pattern.compile("Max open files\\s+(\\d+)\\s+(\\d+)").matcher(limits);
        assertTrue(openFiles.find(), limits);
        assertEquals("4096", openFiles.group(1), limits);
        stopsWithStatus0();
    }

    private void stopsWithStatus0() throws Exception {
        process.destroy(); // SIGTERM
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the server stopped");
        assertEquals(0, process.exitValue(), read(stderr));
        assertTrue(read(stdout).contains("Stopped."), read(stdout));
    }

    private Socket connect(int port) throws IOException {
        Socket socket = new Socket();
        sockets.add(socket);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        socket.setSoTimeout(30_000);
        return socket;
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + 1)) {
            n++;
        }
        return n;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void await(String what, BooleanSupplier condition) {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not true within 60 s: " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }
}
