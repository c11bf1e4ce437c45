package io.linuxaio.examples.http;

import static io.netty.handler.codec.http.HttpResponseStatus.BAD_REQUEST;
import static io.netty.handler.codec.http.HttpResponseStatus.FORBIDDEN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linuxaio.FileNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class RequestTargetTest {

    @Test
    void plainPathBecomesSegments() throws HttpError {
        RequestTarget target = RequestTarget.parse("/docs/about.txt?x=1");
        assertEquals(List.of("docs", "about.txt"), target.segments());
        assertFalse(target.directory());
        assertEquals("docs/about.txt", target.relativePath());
        assertEquals("/docs/about.txt", target.rawPath());
    }

    @Test
    void trailingSlashMarksADirectory() throws HttpError {
        RequestTarget target = RequestTarget.parse("/docs/");
        assertTrue(target.directory());
        assertEquals("/docs/", target.displayPath());
        RequestTarget root = RequestTarget.parse("/");
        assertTrue(root.segments().isEmpty());
        assertEquals("", root.relativePath());
    }

    @Test
    void percentEncodingIsDecodedOnceAsUtf8() throws HttpError {
        assertEquals(List.of("a b", "caf\u00e9"), RequestTarget.parse("/a%20b/caf%C3%A9").segments());
        // %2525 is "%25" after one decoding, and must stay that: decoding twice would give "%".
        assertEquals(List.of("%25"), RequestTarget.parse("/%2525").segments());
        assertEquals(List.of("%2e%2e"), RequestTarget.parse("/%252e%252e").segments());
    }

    @Test
    void emptySegmentsAreDropped() throws HttpError {
        assertEquals(List.of("a", "b"), RequestTarget.parse("//a///b").segments());
    }

    @Test
    void absoluteFormKeepsOnlyThePath() throws HttpError {
        assertEquals(List.of("x"), RequestTarget.parse("http://example.com:8080/x?y").segments());
        assertTrue(RequestTarget.parse("http://example.com").segments().isEmpty());
        assertTrue(RequestTarget.parse("HTTPS://example.com?q=/etc").segments().isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/..", "/../etc/passwd", "/a/../../b", "/%2e%2e/x", "/%2E%2E", "/.%2e/x", "/./a", "/a/.",
            "/a/%2e/b"})
    void dotSegmentsAreForbidden(String uri) {
        assertStatus(FORBIDDEN, uri);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/a%2fb", "/a%2F..%2Fb", "/..%2f..%2fetc", "/a\\b", "/..%5c..%5cetc", "/a%5Cb"})
    void encodedSlashesAndBackslashesAreForbidden(String uri) {
        assertStatus(FORBIDDEN, uri);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/a%00b", "/a%00", "/a\u0000b", "/a\tb", "/a\u007fb", "/a\u001bb", "/a%", "/a%4", "/a%zz",
            "/a%\u0661\u0661", "/a#frag", "*", "example.com/x", "ftp://host/x"})
    void malformedTargetsAreBadRequests(String uri) {
        assertStatus(BAD_REQUEST, uri);
    }

    /**
     * Bytes that are not UTF-8 (overlong forms, stray and truncated sequences, surrogates) name
     * those bytes: a file on disk may be called that. An overlong '/' or '..' is never a slash or a
     * dot-dot segment, only a name.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "/%c0%af",              // overlong '/'
            "/%c0%ae%c0%ae",        // overlong '..'
            "/%e0%80%af",           // three-byte overlong '/'
            "/%c3",                 // truncated sequence
            "/%80",                 // stray continuation byte
            "/%ed%a0%80",           // UTF-16 surrogate
            "/%f8%88%80%80%80",     // five-byte form
            "/caf%e9.txt",          // Latin-1
            "/%ff"})
    void bytesThatAreNotUtf8NameThoseBytes(String uri) throws HttpError {
        RequestTarget target = RequestTarget.parse(uri);
        assertEquals(1, target.segments().size(), uri);
        byte[] expected = percentDecoded(uri.substring(1));
        assertArrayEquals(expected, FileNames.toBytes(target.segments().get(0)), uri);
        assertFalse(target.directory(), uri);
    }

    @Test
    void anOverlongDotDotIsAPlainNameNotAParent() throws HttpError {
        RequestTarget target = RequestTarget.parse("/%C0%AE%C0%AE/etc/passwd");
        assertEquals(3, target.segments().size());
        assertArrayEquals(new byte[] {(byte) 0xC0, (byte) 0xAE, (byte) 0xC0, (byte) 0xAE},
                FileNames.toBytes(target.segments().get(0)));
        assertEquals(List.of("etc", "passwd"), target.segments().subList(1, 3));
    }

    /** A percent-encoded control byte other than NUL is a byte of a file name; raw ones are refused above. */
    @Test
    void encodedControlBytesAreNameBytes() throws HttpError {
        assertEquals(List.of("tab\there.txt"), RequestTarget.parse("/tab%09here.txt").segments());
        assertEquals(List.of("x\r\nSet-Cookie: y"), RequestTarget.parse("/x%0d%0aSet-Cookie:%20y").segments());
        assertEquals(List.of("a\u007f"), RequestTarget.parse("/a%7f").segments());
    }

    @Test
    void onlyANameWithABackslashCannotBeAskedFor() {
        assertTrue(RequestTarget.canName("caf\uDCE9.txt"));
        assertTrue(RequestTarget.canName("tab\there"));
        assertFalse(RequestTarget.canName("back\\slash"));
    }

    private static byte[] percentDecoded(String encoded) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < encoded.length(); i++) {
            if (encoded.charAt(i) == '%') {
                out.write(Integer.parseInt(encoded.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.write(encoded.charAt(i));
            }
        }
        return out.toByteArray();
    }

    @Test
    void rawNonAsciiBytesAreReadAsUtf8() throws HttpError {
        // Netty hands the request line over as ISO-8859-1: one char per byte.
        String latin1 = new String("/caf\u00e9".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                java.nio.charset.StandardCharsets.ISO_8859_1);
        assertEquals(List.of("caf\u00e9"), RequestTarget.parse(latin1).segments());
    }

    private static void assertStatus(HttpResponseStatus expected, String uri) {
        HttpError error = assertThrows(HttpError.class, () -> RequestTarget.parse(uri), uri);
        assertEquals(expected, error.status(), uri);
    }
}
