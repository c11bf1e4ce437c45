package io.linuxaio.examples.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * What only HTTP/1.1 has, byte by byte over a socket: the end of a bodiless response, where the
 * next one starts, HTTP/1.0's close-delimited body, raw bytes on the request line. The semantics
 * shared with HTTP/2 are in {@link FileServerTest}.
 */
class Http1FramingTest extends ServerTestBase {

    @Test
    void headSendsTheHeadersOfGetAndNoBody() throws Exception {
        try (RawHttp http = raw()) {
            RawHttp.Response head = http.request("HEAD", "/data.bin").read(false);
            assertEquals(200, head.status());
            assertEquals(Integer.toString(TestSite.DATA_BYTES), head.header("content-length"));
            assertNotNull(head.header("etag"));
            // If HEAD had sent a body, this next response would be read from the middle of it.
            RawHttp.Response next = http.get("/hello.txt");
            assertEquals(200, next.status());
            assertEquals("hello, world\n", next.text());
        }
    }

    @Test
    void pipelinedResponsesWrittenWholeAndThroughTheEncoderFollowEachOtherIntact() throws Exception {
        try (RawHttp http = raw()) {
            // hello.txt leaves as one buffer past the encoder, data.bin (over the whole-body limit)
            // as a head the encoder writes and a region: each must start where the last one ended.
            String get = "GET %s HTTP/1.1\r\nHost: test\r\n\r\n";
            http.send(get.formatted("/hello.txt") + get.formatted("/data.bin") + get.formatted("/hello.txt")
                    + get.formatted("/data.bin") + "GET /hello.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            for (int i = 0; i < 2; i++) {
                RawHttp.Response small = http.read(true);
                assertEquals(200, small.status());
                assertEquals("hello, world\n", small.text());
                assertNotNull(small.header("etag"));
                RawHttp.Response large = http.read(true);
                assertEquals(200, large.status());
                assertArrayEquals(site.data, large.body());
            }
            RawHttp.Response http10 = http.read(true);
            assertEquals("keep-alive", http10.header("connection"), "HTTP/1.0 asked to keep the connection");
            assertEquals("hello, world\n", http10.text());
            assertEquals(200, http.get("/hello.txt").status(), "the connection is still open");
        }
    }

    @Test
    void headOfAListingSendsItsHeadersAndNoBody() throws Exception {
        try (RawHttp http = raw()) {
            RawHttp.Response head = http.request("HEAD", "/dir/").read(false);
            assertEquals(200, head.status());
            assertEquals("text/html; charset=utf-8", head.header("content-type"));
            assertEquals(null, head.header("transfer-encoding"));
            RawHttp.Response next = http.get("/hello.txt");
            assertEquals("hello, world\n", next.text());
        }
    }

    @Test
    void anHttp10ClientGetsAListingEndedByTheConnectionClosing() throws Exception {
        try (RawHttp http = raw()) {
            http.send("GET /dir/ HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            RawHttp.Response head = http.readHead();
            assertEquals(200, head.status());
            assertEquals(null, head.header("transfer-encoding"), "HTTP/1.0 knows no chunks");
            assertEquals(null, head.header("content-length"));
            String html = new String(http.input().readAllBytes(), StandardCharsets.UTF_8); // to the close
            assertTrue(html.startsWith("<!DOCTYPE html>"), html);
            assertTrue(html.endsWith("</table>\n</body></html>\n"), html);
            assertTrue(html.contains("href=\"sub/\""), html);
        }
    }

    @Test
    void aRawByteOnTheRequestLineNamesTheFileOfThatByte() throws Exception {
        try (RawHttp http = raw()) {
            RawHttp.Response raw = http.get("/names/caf\u00e9.txt");
            assertEquals(200, raw.status());
            assertEquals("a Latin-1 name", raw.text());
        }
    }
}
