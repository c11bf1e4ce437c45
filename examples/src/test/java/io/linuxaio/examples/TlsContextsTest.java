package io.linuxaio.examples;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsContextsTest {

    @Test
    void aSelfSignedServerContextIsMadeAtStart() throws IOException {
        assertTrue(TlsContexts.selfSigned().isServer());
    }

    @Test
    @SuppressWarnings("deprecation") // SelfSignedCertificate: the simplest source of PEM files here
    void pemFilesMakeAServerContext() throws Exception {
        SelfSignedCertificate certificate = new SelfSignedCertificate("localhost");
        try {
            assertTrue(TlsContexts.fromPem(certificate.certificate().toPath(), certificate.privateKey().toPath()).isServer());
        } finally {
            certificate.delete();
        }
    }

    @Test
    void missingOrWrongFilesAreRefusedWithTheirNames(@TempDir Path dir) throws IOException {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        IOException missing = assertThrows(IOException.class, () -> TlsContexts.fromPem(cert, key));
        assertTrue(missing.getMessage().contains("cert.pem"), missing.getMessage());
        Files.writeString(cert, "not a certificate");
        Files.writeString(key, "not a key");
        IOException wrong = assertThrows(IOException.class, () -> TlsContexts.fromPem(cert, key));
        assertTrue(wrong.getMessage().contains("cert.pem"), wrong.getMessage());
    }
}
