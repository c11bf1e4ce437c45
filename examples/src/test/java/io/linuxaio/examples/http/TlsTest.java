package io.linuxaio.examples.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.io.IOException;
import java.net.Socket;
import java.security.KeyStore;
import java.util.Arrays;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** HTTPS through the same AioFileHandler read path, checked by a client that trusts only the server's certificate. */
@SuppressWarnings("deprecation") // SelfSignedCertificate, as the server itself makes one for --tls
class TlsTest {
    private static TestSite site;
    private static SelfSignedCertificate certificate;
    private static FileServer server;
    private static SSLContext clientContext;

    @BeforeAll
    static void start() throws Exception {
        site = new TestSite();
        certificate = new SelfSignedCertificate("localhost");
        server = FileServer.builder(site.root).port(0).threads(2)
                .tls(SslContextBuilder.forServer(certificate.certificate(), certificate.privateKey()).build())
                .start();
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        trusted.setCertificateEntry("server", certificate.cert());
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        clientContext = SSLContext.getInstance("TLS");
        clientContext.init(null, trust.getTrustManagers(), null);
    }

    @AfterAll
    static void stop() throws IOException {
        try {
            server.close();
        } finally {
            certificate.delete();
            site.close();
        }
    }

    private static RawHttp https() throws IOException {
        SSLSocket socket = (SSLSocket) clientContext.getSocketFactory().createSocket();
        socket.connect(server.localAddress(), 10_000);
        socket.startHandshake();
        return new RawHttp(socket, server.localAddress());
    }

    @Test
    void theUriSaysHttps() {
        assertTrue(server.uri().toString().startsWith("https://127.0.0.1:"), server.uri().toString());
    }

    @Test
    void filesArriveByteExactOverTls() throws IOException {
        try (RawHttp http = https()) {
            RawHttp.Response response = http.get("/data.bin");
            assertEquals(200, response.status());
            assertArrayEquals(site.data, response.body());
            RawHttp.Response range = http.get("/data.bin", "Range: bytes=100-199, 300000-300099");
            assertEquals(206, range.status());
            assertTrue(range.header("content-type").startsWith("multipart/byteranges"));
            RawHttp.Response suffix = http.get("/data.bin", "Range: bytes=-1000");
            assertArrayEquals(Arrays.copyOfRange(site.data, TestSite.DATA_BYTES - 1000, TestSite.DATA_BYTES), suffix.body());
        }
    }

    @Test
    void pipelinedRequestsWorkOverTls() throws IOException {
        try (RawHttp http = https()) {
            http.send("GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\nGET /dir/ HTTP/1.1\r\nHost: t\r\n\r\nGET /style.css HTTP/1.1\r\nHost: t\r\n\r\n");
            assertEquals("hello, world\n", http.read(true).text());
            assertTrue(http.read(true).text().contains("Index of /dir/"));
            assertEquals(200, http.read(true).status());
        }
    }

    @Test
    void plainHttpOnTheTlsPortIsRefusedAndTheServerGoesOn() throws IOException {
        try (RawHttp plain = new RawHttp(server.localAddress())) {
            plain.send("GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n");
            assertTrue(plain.closedByServer());
        }
        try (RawHttp http = https()) {
            assertEquals(200, http.get("/hello.txt").status());
        }
    }

    @Test
    void aClientThatDoesNotTrustTheCertificateFailsTheHandshake() throws Exception {
        SSLContext defaults = SSLContext.getInstance("TLS");
        defaults.init(null, null, null);
        try (Socket socket = defaults.getSocketFactory().createSocket()) {
            socket.connect(server.localAddress(), 10_000);
            assertThrows(SSLHandshakeException.class, ((SSLSocket) socket)::startHandshake);
        }
    }
}
