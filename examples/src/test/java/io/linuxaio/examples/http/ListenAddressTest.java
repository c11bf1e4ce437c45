package io.linuxaio.examples.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
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
            int freePort;
            try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
                freePort = probe.getLocalPort();
            }
            IOException e = assertThrows(IOException.class, () -> FileServer.builder(root).port(freePort).threads(1)
                    .metrics("127.0.0.1", metricsPort).start());
            assertEquals("cannot listen on 127.0.0.1:" + metricsPort + ": Address already in use", e.getMessage());
            try (FileServer again = FileServer.builder(root).port(freePort).threads(1).start()) {
                assertEquals(freePort, again.localAddress().getPort(), "the failed start closed its file port");
            }
        }
    }
}
