package io.linuxaio.benchmarks.netty;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Keeps {@code connections} blocking sockets busy against one server, each on its own platform
 * thread: send the file's request byte, read exactly the file's size and compare it with the file,
 * repeat. Requests that complete during the warm-up are not counted. At the end each connection
 * half-closes and must then see end-of-stream with no further byte, so a server that sent too much
 * fails the run as surely as one that sent wrong bytes.
 */
final class LoadClient {
    /** Requests completed inside the measured window, and how long that window was. */
    record Measurement(long requests, long bytes, long nanos) {
        double megabytesPerSecond() {
            return bytes / 1e6 / (nanos / 1e9);
        }

        double requestsPerSecond() {
            return requests / (nanos / 1e9);
        }
    }

    private LoadClient() {}

    /** Runs the load and returns once every connection has finished and closed. */
    static Measurement run(
            int port, ServedFile file, int connections, long warmupNanos, long measureNanos)
            throws IOException, InterruptedException {
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < connections; i++) {
                Socket socket = new Socket();
                sockets.add(socket);
                socket.setTcpNoDelay(true);
                socket.setSoTimeout(30_000);
                socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            }
            long measureFrom = System.nanoTime() + warmupNanos;
            long measureUntil = measureFrom + measureNanos;
            AtomicLong counted = new AtomicLong();
            List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
            List<Thread> threads = new ArrayList<>();
            for (Socket socket : sockets) {
                Thread thread = new Thread(() -> {
                    try {
                        counted.addAndGet(drive(socket, file, measureFrom, measureUntil));
                    } catch (IOException | RuntimeException e) {
                        failures.add(e);
                    }
                }, "load-" + threads.size());
                threads.add(thread);
                thread.start();
            }
            for (Thread thread : threads) {
                thread.join();
            }
            if (!failures.isEmpty()) {
                IOException failed = new IOException(failures.size() + " connection(s) failed");
                failures.forEach(failed::addSuppressed);
                throw failed;
            }
            long requests = counted.get();
            return new Measurement(requests, requests * file.size(), measureNanos);
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    /** One connection's loop; returns how many of its requests completed in the window. */
    private static long drive(Socket socket, ServedFile file, long measureFrom, long measureUntil)
            throws IOException {
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream();
        byte[] buf = new byte[FileServer.CHUNK_SIZE];
        byte[] expected = file.content();
        long counted = 0;
        while (true) {
            out.write(file.request());
            int received = 0;
            while (received < expected.length) {
                int n = in.read(buf, 0, Math.min(buf.length, expected.length - received));
                if (n < 0) {
                    throw new IOException("end of stream after " + received + " of " + expected.length + " bytes");
                }
                if (Arrays.mismatch(buf, 0, n, expected, received, received + n) >= 0) {
                    throw new IOException("wrong bytes in " + file.label() + " near offset " + received);
                }
                received += n;
            }
            long now = System.nanoTime();
            if (now - measureUntil > 0) {
                break;
            }
            if (now - measureFrom >= 0) {
                counted++;
            }
        }
        socket.shutdownOutput();
        int extra = in.read(buf);
        if (extra >= 0) {
            throw new IOException("server sent " + extra + " or more bytes beyond " + file.label());
        }
        return counted;
    }
}
