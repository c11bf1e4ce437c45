package io.linuxaio.examples.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pages and lines the server writes itself: listing, error pages, access log, multipart framing, types. */
class PagesTest {

    @Test
    void listingEscapesNamesAndPercentEncodesLinks() {
        String html = DirectoryListing.html("/d<ir>/", false, List.of(
                new DirectoryListing.Entry("<script>alert(1)</script>.txt", false, 12L, Instant.EPOCH),
                new DirectoryListing.Entry("a\"b&c d.txt", false, 5L, Instant.EPOCH),
                new DirectoryListing.Entry("javascript:x", false, 1L, Instant.EPOCH),
                new DirectoryListing.Entry("caf\u00e9", true, 4096L, Instant.EPOCH)));
        assertFalse(html.contains("<script>"), html);
        assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;.txt"), html);
        assertTrue(html.contains("href=\"%3Cscript%3Ealert%281%29%3C%2Fscript%3E.txt\""), html);
        assertTrue(html.contains("href=\"a%22b%26c%20d.txt\">a&quot;b&amp;c d.txt<"), html);
        // A colon would make the link an absolute URL with a scheme.
        assertTrue(html.contains("href=\"javascript%3Ax\""), html);
        assertTrue(html.contains("href=\"caf%C3%A9/\">caf\u00e9/<"), html);
        assertTrue(html.contains("<title>Index of /d&lt;ir&gt;/</title>"), html);
        assertTrue(html.contains("href=\"../\""), html);
        assertTrue(html.contains("<td><span>1970-01-01</span> <span>00:00:00 UTC</span></td>"), html);
        assertTrue(html.contains("12 B"), html);
    }

    @Test
    void listingPutsDirectoriesFirstAndTheRootHasNoParentLink() {
        String html = DirectoryListing.html("/", true, List.of(
                new DirectoryListing.Entry("b.txt", false, 1L, Instant.EPOCH),
                new DirectoryListing.Entry("z", true, 0L, Instant.EPOCH),
                new DirectoryListing.Entry("a.txt", false, null, null)));
        assertFalse(html.contains("../"), html);
        int z = html.indexOf("href=\"z/\"");
        int a = html.indexOf("href=\"a.txt\"");
        int b = html.indexOf("href=\"b.txt\"");
        assertTrue(z < a && a < b, html);
    }

    @Test
    void sizesAreReadable() {
        assertEquals("0 B", DirectoryListing.humanSize(0));
        assertEquals("10239 B", DirectoryListing.humanSize(10239));
        assertEquals("10.0 KiB", DirectoryListing.humanSize(10240));
        assertEquals("16.0 MiB", DirectoryListing.humanSize(16L << 20));
        assertEquals("3.0 GiB", DirectoryListing.humanSize(3L << 30));
    }

    @Test
    void errorPageNamesTheStatusAndEscapesTheReason() {
        String html = ErrorPage.html(HttpResponseStatus.NOT_FOUND, "no <such> file");
        assertTrue(html.contains("<title>404 Not Found</title>"), html);
        assertTrue(html.contains("no &lt;such&gt; file"), html);
    }

    @Test
    void accessLogLineIsCommonLogFormat() {
        String line = AccessLog.line(new InetSocketAddress("127.0.0.1", 5555), Instant.parse("2000-10-10T13:55:36Z"),
                "GET /apache_pb.gif HTTP/1.1", 200, 2326);
        assertEquals("127.0.0.1 - - [10/Oct/2000:13:55:36 +0000] \"GET /apache_pb.gif HTTP/1.1\" 200 2326", line);
        String empty = AccessLog.line(new InetSocketAddress("127.0.0.1", 5555), Instant.parse("2000-10-10T13:55:36Z"),
                "HEAD / HTTP/1.1", 304, 0);
        assertTrue(empty.endsWith("\" 304 -"), empty);
    }

    @Test
    void accessLogShowsIpv6PeersInTheirShortFormAndAMissingRequestLineAsADash() {
        String line = AccessLog.line(new InetSocketAddress("0:0:0:0:0:0:0:1", 5555), Instant.EPOCH, "", 400, 0);
        assertTrue(line.startsWith("::1 - - ["), line);
        assertTrue(line.endsWith("] \"-\" 400 -"), line);
        String mapped = AccessLog.line(new InetSocketAddress("2001:db8:0:0:1:0:0:1", 5555), Instant.EPOCH, "GET / HTTP/1.1", 200, 1);
        assertTrue(mapped.startsWith("2001:db8::1:0:0:1 - - ["), mapped);
    }

    @Test
    void combinedLogLinesAddTheRefererAndUserAgentEscaped() {
        AccessLog log = new AccessLog(line -> { }, AccessLogFormat.COMBINED);
        try {
            String line = log.line(new InetSocketAddress("127.0.0.1", 5555), Instant.parse("2000-10-10T13:55:36Z"),
                    "GET /a HTTP/1.1", 200, 5, "http://example.com/\"x\"", "curl/8.0\n\u00e9");
            assertEquals("127.0.0.1 - - [10/Oct/2000:13:55:36 +0000] \"GET /a HTTP/1.1\" 200 5 "
                    + "\"http://example.com/\\\"x\\\"\" \"curl/8.0\\x0a\\xe9\"", line);
            String bare = log.line(null, Instant.EPOCH, "GET /a HTTP/1.1", 200, 5, null, "");
            assertTrue(bare.endsWith("200 5 \"-\" \"-\""), bare);
        } finally {
            log.close();
        }
    }

    @Test
    void accessLogEscapesWhatCouldForgeALine() {
        String line = AccessLog.line(null, Instant.EPOCH, "GET /\"x\n1.2.3.4 HTTP/1.1", 400, 10);
        assertTrue(line.startsWith("- - - ["), line);
        assertTrue(line.contains("\"GET /\\\"x\\x0a1.2.3.4 HTTP/1.1\""), line);
        assertFalse(line.contains("\n"));
    }

    @Test
    void accessLogLinesArePrintableAsciiWhateverBytesTheRequestHeld() {
        // The request line arrives one char per byte: raw UTF-8, Latin-1, C1 controls, DEL.
        String line = AccessLog.line(null, Instant.EPOCH, "GET /caf\u00c3\u00a9/\u00e9\u0085\u007f\u001b[2J HTTP/1.1", 200, 1);
        assertTrue(line.contains("\"GET /caf\\xc3\\xa9/\\xe9\\x85\\x7f\\x1b[2J HTTP/1.1\""), line);
        // A decoded name's escapes (lone surrogates), should one ever be logged, are shown too.
        String escaped = AccessLog.line(null, Instant.EPOCH, "GET /caf\uDCE9 HTTP/1.1", 404, 0);
        assertTrue(escaped.contains("/caf\\udce9 "), escaped);
        for (String each : List.of(line, escaped)) {
            assertTrue(each.chars().allMatch(c -> c >= 0x20 && c < 0x7f), each);
        }
    }

    @Test
    void listingShowsEveryNameReadablyAndLinksOnlyWhatTheServerServes() {
        String html = DirectoryListing.html("/d/", false, List.of(
                new DirectoryListing.Entry("caf\uDCE9.txt", false, 1L, Instant.EPOCH),
                new DirectoryListing.Entry("tab\there", false, 1L, Instant.EPOCH),
                new DirectoryListing.Entry("bell\u0007\u007f", false, 1L, Instant.EPOCH),
                new DirectoryListing.Entry("back\\slash", false, 1L, Instant.EPOCH)));
        assertTrue(html.contains("<a href=\"caf%E9.txt\">caf\uFFFD.txt</a>"), html);
        assertTrue(html.contains("<a href=\"tab%09here\">tab\u2409here</a>"), html);
        assertTrue(html.contains("<a href=\"bell%07%7F\">bell\u2407\u2421</a>"), html);
        assertTrue(html.contains("<td>back\\slash</td>"), html);
        assertFalse(html.contains("href=\"back"), html);
        assertTrue(html.chars().noneMatch(c -> c < 0x20 && c != '\n' || c == 0x7f || Character.isSurrogate((char) c)), html);
    }

    @Test
    void accessLogHandsLinesToTheSinkOffTheCallingThread() throws InterruptedException {
        java.util.concurrent.LinkedBlockingQueue<String> seen = new java.util.concurrent.LinkedBlockingQueue<>();
        java.util.concurrent.LinkedBlockingQueue<Thread> threads = new java.util.concurrent.LinkedBlockingQueue<>();
        AccessLog log = new AccessLog(line -> {
            threads.add(Thread.currentThread());
            seen.add(line);
        }, AccessLogFormat.COMMON);
        log.log("one");
        log.log("two");
        log.close(); // flushes
        assertEquals(List.of("one", "two"), List.copyOf(seen));
        assertTrue(threads.stream().noneMatch(t -> t == Thread.currentThread()));
        assertEquals(0, log.dropped());
    }

    @Test
    void multipartFramingAndLengthAgree() {
        List<ByteRange> ranges = List.of(new ByteRange(0, 9), new ByteRange(20, 29));
        MultipartRanges multipart = new MultipartRanges(ranges, "text/plain", 100, "BOUNDARY");
        String first = new String(multipart.partHeader(0), StandardCharsets.US_ASCII);
        assertEquals("\r\n--BOUNDARY\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-9/100\r\n\r\n", first);
        assertEquals("\r\n--BOUNDARY--\r\n", new String(multipart.closing(), StandardCharsets.US_ASCII));
        long expected = multipart.partHeader(0).length + 10 + multipart.partHeader(1).length + 10 + multipart.closing().length;
        assertEquals(expected, multipart.contentLength());
        assertEquals("multipart/byteranges; boundary=BOUNDARY", multipart.contentType());
        String boundary = MultipartRanges.newBoundary();
        assertEquals(32, boundary.length());
        assertTrue(boundary.matches("[0-9a-f]+"));
    }

    @Test
    void contentTypesComeFromTheExtension() {
        assertEquals("text/html; charset=utf-8", ContentTypes.forName("index.HTML"));
        assertEquals("text/css; charset=utf-8", ContentTypes.forName("a.b.css"));
        assertEquals("image/png", ContentTypes.forName("logo.png"));
        assertEquals(ContentTypes.DEFAULT, ContentTypes.forName("large.bin"));
        assertEquals(ContentTypes.DEFAULT, ContentTypes.forName("Makefile"));
        assertEquals(ContentTypes.DEFAULT, ContentTypes.forName("trailing."));
    }
}
