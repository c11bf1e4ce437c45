package io.linuxaio.examples.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Precompressed siblings, as nginx's gzip_static and Caddy's precompressed serve them: {@code .br}
 * before {@code .gz} by the client's weights, looked for only in the codings it accepts, Vary on
 * every file response, an ETag per coding, ranges over the encoded bytes; over HTTP/1.1 and HTTP/2.
 */
class PrecompressedTest extends EveryProtocolTestBase {
    static final byte[] SCRIPT = "console.log('hello, world');\n".repeat(40).getBytes(StandardCharsets.UTF_8);
    /** The server never decodes a sibling: any bytes stand for brotli's. */
    static final byte[] BROTLI = "pretend these are brotli bytes".getBytes(StandardCharsets.US_ASCII);
    static byte[] gzipped;

    @BeforeAll
    static void startServer() throws Exception {
        start(builder -> builder);
        gzipped = gzip(SCRIPT);
        Path packed = Files.createDirectory(site.root.resolve("packed"));
        Files.write(packed.resolve("app.js"), SCRIPT);
        Files.write(packed.resolve("app.js.gz"), gzipped);
        Files.write(packed.resolve("app.js.br"), BROTLI);
        Files.write(packed.resolve("only-gz.css"), SCRIPT);
        Files.write(packed.resolve("only-gz.css.gz"), gzipped);
        Files.write(packed.resolve("plain.txt"), SCRIPT);
        // A sibling that leads out of the root, and one that is a directory: neither is one.
        Files.write(site.outside.resolve("secret.txt.gz"), gzip(TestSite.SECRET.getBytes(StandardCharsets.UTF_8)));
        Files.write(packed.resolve("escape.txt"), SCRIPT);
        Files.createSymbolicLink(packed.resolve("escape.txt.gz"), site.outside.resolve("secret.txt.gz"));
        Files.write(packed.resolve("odd.txt"), SCRIPT);
        Files.createDirectory(packed.resolve("odd.txt.gz"));
        Path index = Files.createDirectory(packed.resolve("site"));
        Files.writeString(index.resolve("index.html"), "<h1>index</h1>");
        Files.write(index.resolve("index.html.gz"), gzip("<h1>index</h1>".getBytes(StandardCharsets.UTF_8)));
    }

    static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }

    private static Optional<String> header(HttpResponse<byte[]> response, String name) {
        return response.headers().firstValue(name);
    }

    @Test
    void brotliIsPreferredWhenBothAreAccepted() throws Exception {
        HttpResponse<byte[]> response = get("/packed/app.js", "Accept-Encoding", "gzip, deflate, br");
        assertEquals(200, response.statusCode());
        assertEquals(Optional.of("br"), header(response, "content-encoding"));
        assertEquals(Optional.of("Accept-Encoding"), header(response, "vary"));
        assertEquals(Optional.of(Integer.toString(BROTLI.length)), header(response, "content-length"));
        assertEquals(Optional.of(ContentTypes.forName("app.js")), header(response, "content-type"), "the original's type");
        assertArrayEquals(BROTLI, response.body());
        assertTrue(header(response, "etag").orElseThrow().endsWith("-br\""), header(response, "etag").orElseThrow());
    }

    @Test
    void gzipIsSentWhenItIsTheOnlyOneAcceptedOrThereIsNoBrotli() throws Exception {
        HttpResponse<byte[]> gzip = get("/packed/app.js", "Accept-Encoding", "gzip");
        assertEquals(Optional.of("gzip"), header(gzip, "content-encoding"));
        assertArrayEquals(gzipped, gzip.body());
        HttpResponse<byte[]> onlyGz = get("/packed/only-gz.css", "Accept-Encoding", "br, gzip");
        assertEquals(Optional.of("gzip"), header(onlyGz, "content-encoding"));
        assertArrayEquals(gzipped, onlyGz.body());
        assertEquals(Optional.of("text/css; charset=utf-8"), header(onlyGz, "content-type"));
        assertEquals(Optional.of("gzip"), header(get("/packed/app.js", "Accept-Encoding", "x-gzip"), "content-encoding"));
    }

    @Test
    void weightsDecide() throws Exception {
        assertEquals(Optional.of("gzip"), header(get("/packed/app.js", "Accept-Encoding", "br;q=0.5, gzip;q=0.8"), "content-encoding"));
        assertEquals(Optional.of("gzip"), header(get("/packed/app.js", "Accept-Encoding", "br;q=0, gzip"), "content-encoding"));
        assertEquals(Optional.of("br"), header(get("/packed/app.js", "Accept-Encoding", "*"), "content-encoding"));
        assertEquals(Optional.of("gzip"), header(get("/packed/app.js", "Accept-Encoding", "*;q=0.1, br;q=0"), "content-encoding"));
        HttpResponse<byte[]> refused = get("/packed/app.js", "Accept-Encoding", "gzip;q=0, br;q=0.000");
        assertEquals(200, refused.statusCode());
        assertEquals(Optional.empty(), header(refused, "content-encoding"));
        assertArrayEquals(SCRIPT, refused.body());
        // A weight that cannot be read refuses nothing and accepts nothing: the element is ignored.
        assertEquals(Optional.empty(), header(get("/packed/app.js", "Accept-Encoding", "gzip;q=2"), "content-encoding"));
    }

    @Test
    void everyFileResponseVariesWithAcceptEncodingWhetherOrNotItHasSiblings() throws Exception {
        HttpResponse<byte[]> identity = get("/packed/app.js");
        assertEquals(200, identity.statusCode());
        assertEquals(Optional.empty(), header(identity, "content-encoding"));
        assertEquals(Optional.of("Accept-Encoding"), header(identity, "vary"));
        assertArrayEquals(SCRIPT, identity.body());
        HttpResponse<byte[]> alone = get("/packed/plain.txt", "Accept-Encoding", "gzip, br");
        assertEquals(Optional.of("Accept-Encoding"), header(alone, "vary"));
        assertEquals(Optional.empty(), header(alone, "content-encoding"));
        assertArrayEquals(SCRIPT, alone.body());
        assertEquals(Optional.of("Accept-Encoding"), header(get("/packed/plain.txt"), "vary"));
    }

    @Test
    void siblingsAreLookedForInTheCodingsTheClientAcceptsOnly() throws Exception {
        long before = opens();
        assertEquals(200, get("/packed/plain.txt").statusCode());
        assertEquals(before + 1, opens(), "the file itself, and no sibling looked for");
        before = opens();
        assertEquals(200, get("/packed/plain.txt", "Accept-Encoding", "gzip, br;q=0").statusCode());
        assertEquals(before + 2, opens(), "the file, then its .gz looked for");
        before = opens();
        assertEquals(200, get("/packed/plain.txt", "Accept-Encoding", "gzip, br").statusCode());
        assertEquals(before + 3, opens(), "the file, then its .br and its .gz looked for");
    }

    /** Every open the server's engine has made, on a loop or by a worker, as its status line counts them. */
    private static long opens() {
        Matcher counts = Pattern.compile(" opens=(\\d+) opensBatched=\\d+ opensToPool=(\\d+)").matcher(server.statusLine());
        assertTrue(counts.find(), server.statusLine());
        return Long.parseLong(counts.group(1)) + Long.parseLong(counts.group(2));
    }

    @Test
    void identityRefusedWithNoSiblingToSendIs406() throws Exception {
        HttpResponse<byte[]> refused = get("/packed/plain.txt", "Accept-Encoding", "gzip, identity;q=0");
        assertEquals(406, refused.statusCode());
        assertEquals(Optional.of("Accept-Encoding"), header(refused, "vary"));
        assertTrue(new String(refused.body(), StandardCharsets.UTF_8).contains("406"));
        assertEquals(406, get("/packed/plain.txt", "Accept-Encoding", "*;q=0").statusCode());
        assertEquals(406, get("/packed/app.js", "Accept-Encoding", "gzip;q=0, identity;q=0").statusCode());
        HttpResponse<byte[]> sibling = get("/packed/only-gz.css", "Accept-Encoding", "gzip, identity;q=0");
        assertEquals(200, sibling.statusCode());
        assertEquals(Optional.of("gzip"), header(sibling, "content-encoding"));
        // "*;q=0" with identity named: identity stays acceptable.
        assertEquals(200, get("/packed/plain.txt", "Accept-Encoding", "*;q=0, identity").statusCode());
    }

    @Test
    void eachCodingHasItsOwnEtagAndConditionalsTestTheOneSent() throws Exception {
        String identity = header(get("/packed/app.js"), "etag").orElseThrow();
        String gzip = header(get("/packed/app.js", "Accept-Encoding", "gzip"), "etag").orElseThrow();
        String br = header(get("/packed/app.js", "Accept-Encoding", "br"), "etag").orElseThrow();
        assertEquals(3, java.util.Set.of(identity, gzip, br).size(), identity + " " + gzip + " " + br);
        HttpResponse<byte[]> notModified = get("/packed/app.js", "Accept-Encoding", "gzip", "If-None-Match", gzip);
        assertEquals(304, notModified.statusCode());
        assertEquals(Optional.of("Accept-Encoding"), header(notModified, "vary"));
        assertEquals(Optional.of(gzip), header(notModified, "etag"));
        // The gzip tag does not match the file itself, nor the brotli one.
        assertEquals(200, get("/packed/app.js", "If-None-Match", gzip).statusCode());
        assertEquals(200, get("/packed/app.js", "Accept-Encoding", "br", "If-None-Match", gzip).statusCode());
        assertNotEquals(identity, gzip);
    }

    @Test
    void rangesApplyToTheEncodedBytes() throws Exception {
        HttpResponse<byte[]> range = get("/packed/app.js", "Accept-Encoding", "gzip", "Range", "bytes=2-9");
        assertEquals(206, range.statusCode());
        assertEquals(Optional.of("gzip"), header(range, "content-encoding"));
        assertEquals(Optional.of("bytes 2-9/" + gzipped.length), header(range, "content-range"));
        assertArrayEquals(Arrays.copyOfRange(gzipped, 2, 10), range.body());
        String etag = header(range, "etag").orElseThrow();
        assertEquals(206, get("/packed/app.js", "Accept-Encoding", "gzip", "Range", "bytes=0-0", "If-Range", etag).statusCode());
        HttpResponse<byte[]> outside = get("/packed/app.js", "Accept-Encoding", "gzip", "Range", "bytes=" + gzipped.length + "-");
        assertEquals(416, outside.statusCode());
        assertEquals(Optional.of("bytes */" + gzipped.length), header(outside, "content-range"));
        assertEquals(Optional.of("Accept-Encoding"), header(outside, "vary"));
    }

    @Test
    void headSendsTheSiblingsHeadersAndNoBody() throws Exception {
        HttpResponse<byte[]> head = send("HEAD", "/packed/app.js", "Accept-Encoding", "gzip");
        assertEquals(200, head.statusCode());
        assertEquals(Optional.of("gzip"), header(head, "content-encoding"));
        assertEquals(Optional.of(Integer.toString(gzipped.length)), header(head, "content-length"));
        assertEquals(0, head.body().length);
    }

    @Test
    void aSiblingThatLeadsOutOfTheRootOrIsADirectoryIsNone() throws Exception {
        for (String path : new String[] {"/packed/escape.txt", "/packed/odd.txt"}) {
            HttpResponse<byte[]> response = get(path, "Accept-Encoding", "gzip");
            assertEquals(200, response.statusCode(), path);
            assertEquals(Optional.empty(), header(response, "content-encoding"), path);
            assertArrayEquals(SCRIPT, response.body(), path);
            assertFalse(new String(response.body(), StandardCharsets.ISO_8859_1).contains(TestSite.SECRET), path);
        }
    }

    @Test
    void aDirectorysIndexHasSiblingsToo() throws Exception {
        HttpResponse<byte[]> index = get("/packed/site/", "Accept-Encoding", "gzip");
        assertEquals(Optional.of("gzip"), header(index, "content-encoding"));
        assertEquals(Optional.of("text/html; charset=utf-8"), header(index, "content-type"));
        assertArrayEquals(Files.readAllBytes(site.root.resolve("packed/site/index.html.gz")), index.body());
    }

    @Test
    void everySiblingLookedAtIsClosed() throws Exception {
        for (String encoding : new String[] {"gzip", "br", "identity;q=0", "gzip;q=0, br;q=0", ""}) {
            for (String path : new String[] {"/packed/app.js", "/packed/only-gz.css", "/packed/plain.txt",
                    "/packed/escape.txt", "/packed/odd.txt", "/packed/site/"}) {
                get(path, "Accept-Encoding", encoding);
                send("HEAD", path, "Accept-Encoding", encoding);
                get(path, "Accept-Encoding", encoding, "Range", "bytes=99999-");
            }
        }
        await("no file under the root is left open", () -> openFilesUnderRoot() == 0);
    }
}
