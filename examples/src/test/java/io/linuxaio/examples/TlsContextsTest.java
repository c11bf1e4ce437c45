package io.linuxaio.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsContextsTest {

    @Test
    void aSelfSignedServerContextIsMadeAtStart() throws IOException {
        assertTrue(TlsContexts.selfSigned(Options.DEFAULT_TLS_PROTOCOLS).isServer());
    }

    @Test
    @SuppressWarnings("deprecation") // SelfSignedCertificate: the simplest source of PEM files here
    void pemFilesMakeAServerContext() throws Exception {
        SelfSignedCertificate certificate = new SelfSignedCertificate("localhost");
        try {
            assertTrue(TlsContexts.fromPem(certificate.certificate().toPath(), certificate.privateKey().toPath(),
                    Options.DEFAULT_TLS_PROTOCOLS).isServer());
        } finally {
            certificate.delete();
        }
    }

    @Test
    void onlyTheProtocolsAskedForAreEnabled() throws IOException {
        assertEquals(List.of("TLSv1.3"), enabled(TlsContexts.selfSigned(Options.DEFAULT_TLS_PROTOCOLS)));
        assertEquals(List.of("TLSv1.2", "TLSv1.3"),
                enabled(TlsContexts.selfSigned(List.of("TLSv1.3", "TLSv1.2"))).stream().sorted().toList());
    }

    private static List<String> enabled(io.netty.handler.ssl.SslContext context) {
        javax.net.ssl.SSLEngine engine = context.newEngine(io.netty.buffer.ByteBufAllocator.DEFAULT);
        return List.of(engine.getEnabledProtocols());
    }

    @Test
    void missingOrWrongFilesAreRefusedWithTheirNames(@TempDir Path dir) throws IOException {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        IOException missing = assertThrows(IOException.class, () -> TlsContexts.fromPem(cert, key, Options.DEFAULT_TLS_PROTOCOLS));
        assertTrue(missing.getMessage().contains("cert.pem"), missing.getMessage());
        Files.writeString(cert, "not a certificate");
        Files.writeString(key, "not a key");
        IOException wrong = assertThrows(IOException.class, () -> TlsContexts.fromPem(cert, key, Options.DEFAULT_TLS_PROTOCOLS));
        assertTrue(wrong.getMessage().contains("cert.pem"), wrong.getMessage());
    }
}
