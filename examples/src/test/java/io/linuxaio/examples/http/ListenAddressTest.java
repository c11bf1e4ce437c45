package io.linuxaio.examples.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A server that cannot listen says where it tried: the host it could not resolve, or the address:port in use. */
class ListenAddressTest {

    @Test
    void aHostThatCannotBeResolvedIsNamed(@TempDir Path root) {
        IOException e = assertThrows(IOException.class,
                () -> FileServer.builder(root).bind("999.1.1.1").port(0).threads(1).start());
        assertTrue(e.getMessage().startsWith("cannot resolve the address to listen on, 999.1.1.1: "), e.getMessage());
    }

    @Test
    void aPortInUseIsNamedWithItsAddress(@TempDir Path root) throws Exception {
        try (FileServer first = FileServer.builder(root).port(0).threads(1).start()) {
            int port = first.localAddress().getPort();
            IOException e = assertThrows(IOException.class,
                    () -> FileServer.builder(root).bind("127.0.0.1").port(port).threads(1).start());
            assertEquals("cannot listen on 127.0.0.1:" + port + ": Address already in use", e.getMessage());
        }
    }

    @Test
    void aMetricsPortInUseIsNamedAndTheFilePortIsLetGo(@TempDir Path root) throws Exception {
        try (FileServer first = FileServer.builder(root).port(0).threads(1).metrics("127.0.0.1", 0).start()) {
            int metricsPort = first.metricsUri().getPort();
            assertEquals(1, listeningSocketsOfThisProcess(first.localAddress().getPort()), "the count sees a listener");
            int freePort;
            try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
                freePort = probe.getLocalPort();
            }
            IOException e = assertThrows(IOException.class, () -> FileServer.builder(root).port(freePort).threads(1)
                    .metrics("127.0.0.1", metricsPort).start());
            assertEquals("cannot listen on 127.0.0.1:" + metricsPort + ": Address already in use", e.getMessage());
            // Asked of the kernel rather than by binding the port again, which another program
            // running beside the tests may have taken meanwhile.
            assertEquals(0, listeningSocketsOfThisProcess(freePort), "the failed start closed its file port");
        }
    }

    /** How many of this process's descriptors are TCP sockets listening on {@code port} (/proc/net/tcp). */
    private static long listeningSocketsOfThisProcess(int port) throws IOException {
        Set<String> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring("socket:[".length(), target.length() - 1));
                    }
                } catch (IOException gone) {
                    // Closed while listed.
                }
            }
        }
        String hexPort = String.format(":%04X", port);
        long count = 0;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> lines = Files.readAllLines(Path.of(table));
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.trim().split("\\s+"); // sl local rem st ... uid timeout inode
                if (f[1].endsWith(hexPort) && f[3].equals("0A") && inodes.contains(f[9])) {
                    count++;
                }
            }
        }
        return count;
    }
}
