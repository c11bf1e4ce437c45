package io.linuxaio.examples.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * HTTPS through the same AioFileHandler read path, checked by clients that trust only the server's
 * certificate: h2 or HTTP/1.1 as ALPN chooses, HTTP/1.1 for a client that offers nothing.
 */
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
                .tls(SslContextBuilder.forServer(certificate.certificate(), certificate.privateKey())
                        .applicationProtocolConfig(FileServer.ALPN).build())
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

    /**
     * The JDK's client, which offers h2 by ALPN when asked for HTTP/2, trusting only the server's
     * certificate. It checks the name in the certificate, localhost, which resolves to 127.0.0.1.
     */
    private static HttpResponse<byte[]> jdkGet(HttpClient.Version version, String path, String... headers) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(version).sslContext(clientContext)
                .connectTimeout(Duration.ofSeconds(10)).build();
        HttpRequest.Builder request = HttpRequest.newBuilder(
                URI.create("https://localhost:" + server.localAddress().getPort() + path)).timeout(Duration.ofSeconds(30));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(version, response.version(), "the protocol ALPN chose");
        return response;
    }

    @ParameterizedTest
    @EnumSource(value = HttpClient.Version.class)
    void alpnGivesEachClientTheProtocolItAsksForAndFilesArriveByteExact(HttpClient.Version version) throws Exception {
        HttpResponse<byte[]> whole = jdkGet(version, "/data.bin");
        assertEquals(200, whole.statusCode());
        assertArrayEquals(site.data, whole.body());
        HttpResponse<byte[]> suffix = jdkGet(version, "/data.bin", "Range", "bytes=-1000");
        assertEquals(206, suffix.statusCode());
        assertArrayEquals(Arrays.copyOfRange(site.data, TestSite.DATA_BYTES - 1000, TestSite.DATA_BYTES), suffix.body());
        HttpResponse<byte[]> multipart = jdkGet(version, "/data.bin", "Range", "bytes=100-199, 300000-300099");
        assertTrue(multipart.headers().firstValue("content-type").orElseThrow().startsWith("multipart/byteranges"));
        assertEquals(304, jdkGet(version, "/data.bin", "If-None-Match", whole.headers().firstValue("etag").orElseThrow())
                .statusCode());
    }

    @Test
    void manyStreamsOfOneH2ConnectionArriveByteExact() throws Exception {
        SslContext alpn = SslContextBuilder.forClient().trustManager(certificate.cert())
                .applicationProtocolConfig(FileServer.ALPN).build();
        try (H2Client h2 = new H2Client(server.localAddress(), alpn, Http2Settings.defaultSettings())) {
            assertEquals("h2", h2.alpn());
            List<H2Client.Pending> streams = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                streams.add(h2.request("GET", "/data.bin", "range", "bytes=" + (i * 50_000) + "-" + (i * 50_000 + 49_999)));
            }
            for (int i = 0; i < streams.size(); i++) {
                HttpResponse<byte[]> part = streams.get(i).await();
                assertEquals(206, part.statusCode());
                assertArrayEquals(Arrays.copyOfRange(site.data, i * 50_000, i * 50_000 + 50_000), part.body());
            }
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
