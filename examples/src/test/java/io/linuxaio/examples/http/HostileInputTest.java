package io.linuxaio.examples.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Malformed and hostile requests over raw sockets: each is refused, and the server keeps serving. */
class HostileInputTest extends ServerTestBase {

    @AfterEach
    void serverStillServes() throws IOException {
        try (RawHttp http = raw()) {
            RawHttp.Response response = http.get("/hello.txt");
            assertEquals(200, response.status());
            assertEquals("hello, world\n", response.text());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "/../outside/secret.txt",
            "/dir/../../outside/secret.txt",
            "/%2e%2e/outside/secret.txt",
            "/%2E%2E/%2E%2E/outside/secret.txt",
            "/dir/%2e%2e%2f%2e%2e%2foutside/secret.txt",
            "/..%2Foutside%2Fsecret.txt",
            "/..\\outside\\secret.txt",
            "/..%5coutside%5csecret.txt",
            "/%c0%ae%c0%ae/outside/secret.txt",
            "/%c0%af..%c0%afoutside/secret.txt",
            "/%e0%80%ae%e0%80%ae/outside/secret.txt",
            "/%252e%252e/outside/secret.txt",
            "/hello.txt%00.html",
            "/%00",
            "http://test/../outside/secret.txt",
            "../outside/secret.txt"})
    void traversalAttemptsAreRefused(String path) throws IOException {
        try (RawHttp http = raw()) {
            RawHttp.Response response = http.get(path);
            assertTrue(List.of(400, 403, 404).contains(response.status()), path + " -> " + response.status());
            assertFalse(response.text().contains(TestSite.SECRET), path);
        }
    }

    @Test
    void anOversizedRequestLineIs414() throws IOException {
        try (RawHttp http = raw()) {
            RawHttp.Response response = http.get("/" + "a".repeat(20_000));
            assertEquals(414, response.status());
            assertTrue(response.text().contains("414"));
            assertTrue(http.closedByServer());
        }
    }

    @Test
    void oversizedHeadersAre431() throws IOException {
        try (RawHttp http = raw()) {
            RawHttp.Response response = http.get("/hello.txt", "X-Big: " + "b".repeat(40_000));
            assertEquals(431, response.status());
            assertTrue(http.closedByServer());
        }
    }

    @Test
    void manyHeadersAre431() throws IOException {
        String[] headers = new String[2000];
        for (int i = 0; i < headers.length; i++) {
            headers[i] = "X-H" + i + ": v";
        }
        try (RawHttp http = raw()) {
            assertEquals(431, http.get("/hello.txt", headers).status());
        }
    }

    @Test
    void garbageIs400() throws IOException {
        try (RawHttp http = raw()) {
            http.send("\u0001\u0002 NOT HTTP AT ALL\r\n\r\n");
            RawHttp.Response response = http.read(true);
            assertEquals(400, response.status());
            assertTrue(http.closedByServer());
        }
    }

    @Test
    void aBadContentLengthIs400() throws IOException {
        try (RawHttp http = raw()) {
            RawHttp.Response response = http.request("GET", "/hello.txt", "Content-Length: -5").read(true);
            assertEquals(400, response.status());
        }
    }

    @Test
    void aRequestWithABodyIsAnsweredAndTheConnectionClosed() throws IOException {
        try (RawHttp http = raw()) {
            http.send("POST /hello.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 100000000\r\n\r\n" + "x".repeat(1000));
            RawHttp.Response response = http.read(true);
            assertEquals(405, response.status());
            assertEquals("close", response.header("connection"));
            assertTrue(http.closedByServer());
        }
    }

    @Test
    void http10WithoutKeepAliveIsClosedAfterTheResponse() throws IOException {
        try (RawHttp http = raw()) {
            http.send("GET /hello.txt HTTP/1.0\r\n\r\n");
            RawHttp.Response response = http.read(true);
            assertEquals(200, response.status());
            assertTrue(http.closedByServer());
        }
    }

    @Test
    void http10KeepAliveIsHonoured() throws IOException {
        try (RawHttp http = raw()) {
            http.send("GET /hello.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            RawHttp.Response first = http.read(true);
            assertEquals("keep-alive", first.header("connection"));
            http.send("GET /style.css HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            assertEquals(200, http.read(true).status());
        }
    }

    @Test
    void connectionCloseIsHonoured() throws IOException {
        try (RawHttp http = raw()) {
            RawHttp.Response response = http.get("/hello.txt", "Connection: close");
            assertEquals(200, response.status());
            assertEquals("close", response.header("connection"));
            assertTrue(http.closedByServer());
        }
    }
}
