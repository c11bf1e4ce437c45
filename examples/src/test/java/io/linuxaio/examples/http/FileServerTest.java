package io.linuxaio.examples.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * HTTP semantics: bodies, headers, ranges, conditionals, directories, errors; each test once over
 * HTTP/1.1 and once over each way to HTTP/2, with the same assertions. The framing HTTP/1.1 alone
 * has is checked byte by byte in {@link Http1FramingTest}.
 */
class FileServerTest extends EveryProtocolTestBase {

    @Test
    void getServesTheFileWithItsHeaders() throws Exception {
        HttpResponse<byte[]> response = get("/hello.txt");
        assertEquals(200, response.statusCode());
        assertArrayEquals(site.bytes("hello.txt"), response.body());
        var headers = response.headers();
        assertEquals("text/plain; charset=utf-8", headers.firstValue("content-type").orElseThrow());
        assertEquals("13", headers.firstValue("content-length").orElseThrow());
        assertEquals("bytes", headers.firstValue("accept-ranges").orElseThrow());
        String etag = headers.firstValue("etag").orElseThrow();
        assertTrue(etag.matches("\"[0-9a-f]+-[0-9a-f]+-[0-9a-f]+\""), etag);
        Instant modified = Files.getLastModifiedTime(site.root.resolve("hello.txt")).toInstant();
        assertEquals(HttpDates.format(modified), headers.firstValue("last-modified").orElseThrow());
        Instant date = HttpDates.parse(headers.firstValue("date").orElseThrow());
        assertNotNull(date);
        assertTrue(Math.abs(date.getEpochSecond() - Instant.now().getEpochSecond()) < 60);
    }

    @Test
    void largeFileArrivesByteExact() throws Exception {
        HttpResponse<byte[]> response = get("/data.bin");
        assertEquals(200, response.statusCode());
        assertEquals("application/octet-stream", response.headers().firstValue("content-type").orElseThrow());
        assertArrayEquals(site.data, response.body());
    }

    @Test
    void emptyFileHasZeroLength() throws Exception {
        HttpResponse<byte[]> response = get("/empty.txt");
        assertEquals(200, response.statusCode());
        assertEquals("0", response.headers().firstValue("content-length").orElseThrow());
        assertEquals(0, response.body().length);
    }

    @Test
    void headSendsTheHeadersOfGetAndNoBody() throws Exception {
        HttpResponse<byte[]> head = send("HEAD", "/data.bin");
        assertEquals(200, head.statusCode());
        assertEquals(Integer.toString(TestSite.DATA_BYTES), head.headers().firstValue("content-length").orElseThrow());
        assertEquals(get("/data.bin", "Range", "bytes=0-0").headers().firstValue("etag"), head.headers().firstValue("etag"));
        assertEquals(0, head.body().length);
        HttpResponse<byte[]> next = get("/hello.txt"); // on the same connection
        assertEquals(200, next.statusCode());
        assertEquals("hello, world\n", new String(next.body(), StandardCharsets.UTF_8));
    }

    @Test
    void singleRangeIs206WithContentRange() throws Exception {
        HttpResponse<byte[]> response = get("/data.bin", "Range", "bytes=1000-1999");
        assertEquals(206, response.statusCode());
        assertEquals("bytes 1000-1999/" + TestSite.DATA_BYTES, response.headers().firstValue("content-range").orElseThrow());
        assertArrayEquals(Arrays.copyOfRange(site.data, 1000, 2000), response.body());
    }

    @Test
    void suffixOpenEndedAndClampedRanges() throws Exception {
        int n = TestSite.DATA_BYTES;
        HttpResponse<byte[]> suffix = get("/data.bin", "Range", "bytes=-100");
        assertEquals(206, suffix.statusCode());
        assertArrayEquals(Arrays.copyOfRange(site.data, n - 100, n), suffix.body());
        HttpResponse<byte[]> open = get("/data.bin", "Range", "bytes=" + (n - 70000) + "-");
        assertEquals(206, open.statusCode());
        assertArrayEquals(Arrays.copyOfRange(site.data, n - 70000, n), open.body());
        HttpResponse<byte[]> clamped = get("/data.bin", "Range", "bytes=" + (n - 10) + "-" + (n * 2));
        assertEquals("bytes " + (n - 10) + "-" + (n - 1) + "/" + n, clamped.headers().firstValue("content-range").orElseThrow());
        assertArrayEquals(Arrays.copyOfRange(site.data, n - 10, n), clamped.body());
    }

    @Test
    void unsatisfiableRangeIs416WithTheLength() throws Exception {
        HttpResponse<byte[]> response = get("/hello.txt", "Range", "bytes=100-200");
        assertEquals(416, response.statusCode());
        assertEquals("bytes */13", response.headers().firstValue("content-range").orElseThrow());
        assertTrue(new String(response.body(), StandardCharsets.UTF_8).contains("416"));
    }

    @Test
    void malformedRangeGetsTheWholeFile() throws Exception {
        HttpResponse<byte[]> response = get("/hello.txt", "Range", "bytes=5-1");
        assertEquals(200, response.statusCode());
        assertArrayEquals(site.bytes("hello.txt"), response.body());
    }

    @Test
    void severalRangesAreAMultipartBody() throws Exception {
        HttpResponse<byte[]> response = get("/data.bin", "Range", "bytes=0-9, 500000-599999, -5");
        assertEquals(206, response.statusCode());
        String type = response.headers().firstValue("content-type").orElseThrow();
        Matcher boundary = Pattern.compile("multipart/byteranges; boundary=(\\w+)").matcher(type);
        assertTrue(boundary.matches(), type);
        byte[] body = response.body();
        assertEquals(body.length, Long.parseLong(response.headers().firstValue("content-length").orElseThrow()));
        int n = TestSite.DATA_BYTES;
        int[][] expected = {{0, 9}, {500000, 599999}, {n - 5, n - 1}};
        String delimiter = "\r\n--" + boundary.group(1);
        int at = 0;
        for (int[] range : expected) {
            String headers = "\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes " + range[0] + "-"
                    + range[1] + "/" + n + "\r\n\r\n";
            byte[] framing = (delimiter + headers).getBytes(StandardCharsets.US_ASCII);
            assertArrayEquals(framing, Arrays.copyOfRange(body, at, at + framing.length));
            at += framing.length;
            int length = range[1] - range[0] + 1;
            assertArrayEquals(Arrays.copyOfRange(site.data, range[0], range[1] + 1), Arrays.copyOfRange(body, at, at + length));
            at += length;
        }
        assertEquals(delimiter + "--\r\n", new String(body, at, body.length - at, StandardCharsets.US_ASCII));
    }

    @Test
    void ifNoneMatchWithTheEtagIs304() throws Exception {
        String etag = get("/hello.txt").headers().firstValue("etag").orElseThrow();
        HttpResponse<byte[]> response = get("/hello.txt", "If-None-Match", "\"nope\", " + etag);
        assertEquals(304, response.statusCode());
        assertEquals(0, response.body().length);
        assertEquals(etag, response.headers().firstValue("etag").orElseThrow());
        assertEquals(200, get("/hello.txt", "If-None-Match", "\"nope\"").statusCode());
    }

    @Test
    void ifModifiedSinceIs304UnlessChangedAndMalformedDatesAreIgnored() throws Exception {
        String lastModified = get("/style.css").headers().firstValue("last-modified").orElseThrow();
        assertEquals(304, get("/style.css", "If-Modified-Since", lastModified).statusCode());
        assertEquals(200, get("/style.css", "If-Modified-Since", "Thu, 01 Jan 1970 00:00:00 GMT").statusCode());
        HttpResponse<byte[]> malformed = get("/style.css", "If-Modified-Since", "not a date");
        assertEquals(200, malformed.statusCode());
        assertArrayEquals(site.bytes("style.css"), malformed.body());
    }

    @Test
    void aChangedFileGetsANewEtag() throws Exception {
        var path = site.root.resolve("changing.txt");
        Files.writeString(path, "one");
        Files.setLastModifiedTime(path, FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
        String before = get("/changing.txt").headers().firstValue("etag").orElseThrow();
        Files.writeString(path, "two!");
        HttpResponse<byte[]> after = get("/changing.txt", "If-None-Match", before);
        assertEquals(200, after.statusCode());
        assertEquals("two!", new String(after.body(), StandardCharsets.UTF_8));
    }

    @Test
    void ifRangeAppliesTheRangeOnlyWhileTheFileIsUnchanged() throws Exception {
        var first = get("/data.bin");
        String etag = first.headers().firstValue("etag").orElseThrow();
        String lastModified = first.headers().firstValue("last-modified").orElseThrow();
        assertEquals(206, get("/data.bin", "Range", "bytes=0-1", "If-Range", etag).statusCode());
        assertEquals(206, get("/data.bin", "Range", "bytes=0-1", "If-Range", lastModified).statusCode());
        HttpResponse<byte[]> stale = get("/data.bin", "Range", "bytes=0-1", "If-Range", "\"stale\"");
        assertEquals(200, stale.statusCode());
        assertArrayEquals(site.data, stale.body());
        assertEquals(200, get("/data.bin", "Range", "bytes=0-1", "If-Range", "W/" + etag).statusCode());
    }

    @Test
    void otherMethodsAre405WithAllow() throws Exception {
        for (String method : List.of("POST", "PUT", "DELETE", "OPTIONS", "PATCH")) {
            HttpResponse<byte[]> response = send(method, "/hello.txt");
            assertEquals(405, response.statusCode(), method);
            assertEquals("GET, HEAD", response.headers().firstValue("allow").orElseThrow(), method);
            assertTrue(new String(response.body(), StandardCharsets.UTF_8).contains("405 Method Not Allowed"));
        }
    }

    @Test
    void aMissingFileIs404WithAnHtmlPage() throws Exception {
        HttpResponse<byte[]> response = get("/no/such/file.txt");
        assertEquals(404, response.statusCode());
        assertEquals("text/html; charset=utf-8", response.headers().firstValue("content-type").orElseThrow());
        assertTrue(new String(response.body(), StandardCharsets.UTF_8).contains("<h1>404 Not Found</h1>"));
        assertEquals(404, get("/hello.txt/").statusCode()); // a file is not a directory
    }

    @Test
    void aDirectoryWithoutTheSlashIsRedirected() throws Exception {
        HttpResponse<byte[]> response = get("/dir");
        assertEquals(301, response.statusCode());
        assertEquals("/dir/", response.headers().firstValue("location").orElseThrow());
        HttpResponse<byte[]> encoded = get("/inside-dir/sub");
        assertEquals("/inside-dir/sub/", encoded.headers().firstValue("location").orElseThrow());
    }

    @Test
    void aDirectoryWithIndexHtmlServesIt() throws Exception {
        HttpResponse<byte[]> response = get("/site/");
        assertEquals(200, response.statusCode());
        assertEquals("<h1>index</h1>", new String(response.body(), StandardCharsets.UTF_8));
        assertEquals("text/html; charset=utf-8", response.headers().firstValue("content-type").orElseThrow());
    }

    @Test
    void aDirectoryListingEscapesNamesAndItsLinksWork() throws Exception {
        HttpResponse<byte[]> response = get("/dir/");
        assertEquals(200, response.statusCode());
        String html = new String(response.body(), StandardCharsets.UTF_8);
        assertTrue(html.contains("&lt;b&gt;&amp;&quot;quote&#39;.txt"), html);
        assertFalse(html.contains("<b>"), html);
        assertTrue(html.contains("href=\"sub/\""), html);
        assertTrue(html.contains(">a.txt</a></td><td class=\"size\">1 B<"), html);
        Matcher links = Pattern.compile("href=\"([^\"]+)\"").matcher(html);
        int followed = 0;
        while (links.find()) {
            String link = links.group(1);
            if (link.endsWith(".txt")) {
                HttpResponse<byte[]> file = get("/dir/" + link);
                assertEquals(200, file.statusCode(), link);
                followed++;
            }
        }
        assertEquals(3, followed, html);
        assertTrue(html.contains("caf\u00e9 #1?.txt"), html);
    }

    @Test
    void aNameThatIsNotUtf8IsListedReadablyAndItsLinkServesIt() throws Exception {
        String html = new String(get("/names/").body(), StandardCharsets.UTF_8);
        // The name's byte 0xE9 is no UTF-8: shown as U+FFFD, linked by the byte itself.
        assertTrue(html.contains("<a href=\"caf%E9.txt\">caf\uFFFD.txt</a>"), html);
        HttpResponse<byte[]> file = get("/names/caf%E9.txt");
        assertEquals(200, file.statusCode());
        assertEquals("a Latin-1 name", new String(file.body(), StandardCharsets.UTF_8));
        // The same byte sent raw in the target, as some clients do, names the same file.
        HttpResponse<byte[]> raw = rawGet("/names/caf\u00e9.txt");
        assertEquals(200, raw.statusCode());
        assertEquals("a Latin-1 name", new String(raw.body(), StandardCharsets.UTF_8));
    }

    /**
     * A GET of a target sent exactly as written, byte for byte (a char per byte): on the request
     * line over HTTP/1.1, as {@code :path} over HTTP/2 (by prior knowledge: the JDK's client would
     * encode it).
     */
    private HttpResponse<byte[]> rawGet(String target) throws Exception {
        if (protocol == Protocol.HTTP_1_1) {
            try (RawHttp http = raw()) {
                RawHttp.Response response = http.get(target);
                return new TestResponse(response.status(), java.util.Map.of(), response.body(), server.uri(),
                        java.net.http.HttpClient.Version.HTTP_1_1);
            }
        }
        return priorKnowledge().send("GET", target);
    }

    @Test
    void everyLinkAListingShowsServesItsFile() throws Exception {
        String html = new String(get("/names/").body(), StandardCharsets.UTF_8);
        Matcher links = Pattern.compile("href=\"([^\"]+)\"").matcher(html);
        List<String> followed = new java.util.ArrayList<>();
        while (links.find()) {
            String link = links.group(1);
            // As a browser follows it: resolved against the listing's own address.
            HttpResponse<byte[]> file = get(java.net.URI.create("/names/").resolve(link).getRawPath());
            assertEquals(200, file.statusCode(), link + " in " + html);
            followed.add(link);
        }
        assertEquals(List.of("../", "caf%E9.txt", "line%0Afeed.txt", "tab%09here.txt").stream().sorted().toList(),
                followed.stream().sorted().toList(), html);
        assertEquals("a name with a TAB", new String(get("/names/tab%09here.txt").body(), StandardCharsets.UTF_8));
        assertEquals("a name with a line feed", new String(get("/names/line%0Afeed.txt").body(), StandardCharsets.UTF_8));
        // Control characters are shown as their pictures, never raw.
        assertTrue(html.contains(">tab\u2409here.txt</a>"), html);
        assertTrue(html.contains(">line\u240Afeed.txt</a>"), html);
        // The server refuses a backslash in a path, so that name is shown without a link.
        assertTrue(html.contains("<td>back\\slash.txt</td>"), html);
    }

    @Test
    void anOverlongDotDotNamesTheBytesC0AeC0AeNotTheParent() throws Exception {
        HttpResponse<byte[]> file = get("/%C0%AE%C0%AE/x.txt");
        assertEquals(200, file.statusCode());
        assertEquals("behind an overlong dot-dot", new String(file.body(), StandardCharsets.UTF_8));
        HttpResponse<byte[]> parent = get("/%C0%AE%C0%AE/outside/secret.txt");
        assertEquals(404, parent.statusCode());
        assertFalse(new String(parent.body(), StandardCharsets.UTF_8).contains(TestSite.SECRET));
    }

    @Test
    void aListingShowsTheSizeAndDateOfFilesButNotOfLinks() throws Exception {
        String html = new String(get("/").body(), StandardCharsets.UTF_8);
        assertTrue(Pattern.compile(">hello.txt</a></td><td class=\"size\">13 B</td><td><span>\\d{4}-\\d\\d-\\d\\d</span> "
                + "<span>\\d\\d:").matcher(html).find(), html);
        // A link's target may lie outside the root: nothing about it is shown, nor about the link.
        assertTrue(html.contains(">outside-link.txt</a></td><td class=\"size\">-</td><td>-</td>"), html);
        assertTrue(html.contains(">outside-dir</a></td><td class=\"size\">-</td><td>-</td>"), html);
        assertTrue(Pattern.compile(">dir/</a></td><td class=\"size\">-</td><td><span>\\d{4}-").matcher(html).find(), html);
    }

    @Test
    void headOfAListingSendsItsHeadersAndNoBody() throws Exception {
        HttpResponse<byte[]> head = send("HEAD", "/dir/");
        assertEquals(200, head.statusCode());
        assertEquals("text/html; charset=utf-8", head.headers().firstValue("content-type").orElseThrow());
        assertEquals(0, head.body().length);
        assertEquals("hello, world\n", new String(get("/hello.txt").body(), StandardCharsets.UTF_8));
    }

    @Test
    void theRootListsWithoutAParentLink() throws Exception {
        String html = new String(get("/").body(), StandardCharsets.UTF_8);
        assertTrue(html.contains("<title>Index of /</title>"), html);
        assertFalse(html.contains("href=\"../\""), html);
    }

    @Test
    void symlinksInsideTheRootWork() throws Exception {
        HttpResponse<byte[]> file = get("/inside-link.txt");
        assertEquals(200, file.statusCode());
        assertArrayEquals(site.bytes("hello.txt"), file.body());
        assertEquals(200, get("/inside-dir/a.txt").statusCode());
        HttpResponse<byte[]> absolute = get("/absolute-inside-link.txt");
        assertEquals(200, absolute.statusCode());
        assertArrayEquals(site.bytes("hello.txt"), absolute.body());
        HttpResponse<byte[]> index = get("/absolute-inside-site/");
        assertEquals(200, index.statusCode());
        assertEquals("<h1>index</h1>", new String(index.body(), StandardCharsets.UTF_8));
    }

    /** Which containment check this class's server runs: openat2 here, realpath in {@link RealpathCheckTest}. */
    boolean expectOpenat2() {
        return true;
    }

    @Test
    void theServerChecksContainmentTheExpectedWay() {
        assertEquals(expectOpenat2(), server.usesOpenat2());
    }

    @Test
    void symlinksOutOfTheRootAreRefused() throws Exception {
        for (String path : List.of("/outside-link.txt", "/outside-dir/secret.txt", "/relative-escape.txt",
                "/dir/up-link/outside/secret.txt", "/outside-dir/")) {
            HttpResponse<byte[]> response = get(path);
            assertEquals(403, response.statusCode(), path);
            String page = new String(response.body(), StandardCharsets.UTF_8);
            assertFalse(page.contains(TestSite.SECRET), path);
            assertTrue(page.contains("That path leads out of the served directory."), path + ": " + page);
        }
    }

    /**
     * Out of the root, a path gets one answer whether or not what it names exists there: else the
     * server would tell anyone which files exist on the whole machine.
     */
    @Test
    void aPathThatLeavesTheRootGetsOneAnswerWhetherOrNotItsTargetExists() throws Exception {
        assertTrue(Files.exists(Path.of("/etc/passwd")));
        HttpResponse<byte[]> exists = get("/slash/etc/passwd");
        assertEquals(403, exists.statusCode());
        for (String path : List.of("/slash/etc/nope", "/slash/no-such-dir/x", "/slash/etc/passwd/x", "/slash/etc/",
                "/slash/etc/nope/", "/relative-escape.txt/x", "/outside-dir/nope", "/dir/up-link/outside/nope")) {
            HttpResponse<byte[]> response = get(path);
            assertEquals(exists.statusCode(), response.statusCode(), path);
            assertEquals(new String(exists.body(), StandardCharsets.UTF_8), new String(response.body(), StandardCharsets.UTF_8), path);
        }
        // Inside the root, a missing file is still just missing.
        assertEquals(404, get("/absolute-inside-site/missing.html").statusCode());
        assertEquals(404, get("/inside-dir/missing.txt").statusCode());
    }

    @Test
    void aFifoIsRefusedWithoutHoldingAWorker() throws Exception {
        String pipe = "pipe-" + protocol; // the site is the class's, shared by every protocol's run
        Process mkfifo = new ProcessBuilder("mkfifo", site.root.resolve(pipe).toString()).start();
        assertTrue(mkfifo.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, mkfifo.exitValue());
        assertEquals(403, get("/" + pipe).statusCode());
        assertEquals(200, get("/hello.txt").statusCode());
    }

    @Test
    void everyKindOfResponseClosesWhatItOpened() throws Exception {
        String etag = get("/hello.txt").headers().firstValue("etag").orElseThrow();
        for (int i = 0; i < 5; i++) {
            get("/hello.txt");
            get("/hello.txt", "If-None-Match", etag);
            get("/data.bin", "Range", "bytes=0-0,10-10");
            get("/data.bin", "Range", "bytes=99999999-");
            send("HEAD", "/data.bin");
            get("/empty.txt");
            get("/dir");
            get("/dir/");
            get("/site/");
            get("/hello.txt/");
            get("/outside-link.txt");
            get("/outside-dir/");
            get("/absolute-inside-link.txt");
            get("/absolute-inside-site/");
            get("/absolute-inside-site");
        }
        await("no file under the root is left open", () -> openFilesUnderRoot() == 0);
    }

    @Test
    void everyResponseIsLoggedInCommonLogFormat() throws Exception {
        get("/hello.txt?x=1");
        get("/missing");
        // The log has its own thread: a line from an earlier test may still arrive; skip those.
        String ok = loggedLineFor("\"GET /hello.txt?x=1 ");
        String missing = loggedLineFor("\"GET /missing ");
        assertNotNull(ok);
        String version = protocol == Protocol.HTTP_1_1 ? "HTTP/1.1" : "HTTP/2.0";
        assertTrue(ok.matches("127\\.0\\.0\\.1 - - \\[\\d\\d/\\w{3}/\\d{4}:\\d\\d:\\d\\d:\\d\\d \\+0000] "
                + "\"GET /hello.txt\\?x=1 " + version + "\" 200 13"), ok);
        assertNotNull(missing);
        assertTrue(missing.contains("\"GET /missing " + version + "\" 404 "), missing);
    }

    /** The next access-log line about {@code request}, or null if none came within 30 s. */
    private String loggedLineFor(String request) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (long left; (left = deadline - System.nanoTime()) > 0; ) {
            String line = accessLog.poll(left, TimeUnit.NANOSECONDS);
            if (line != null && line.contains(request)) {
                return line;
            }
        }
        return null;
    }
}
