package io.linuxaio.examples.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the access log says about each request as a running server writes it, in the combined
 * format: malformed requests as they arrived, and the client's Referer and User-Agent.
 */
class AccessLogTest extends ServerTestBase {
    /** host, request field, status, bytes, referer, user agent. */
    private static final Pattern COMBINED = Pattern.compile(
            "(\\S+) - - \\[[^]]+] \"((?:[^\"\\\\]|\\\\.)*)\" (\\d{3}) (\\S+) \"((?:[^\"\\\\]|\\\\.)*)\" \"((?:[^\"\\\\]|\\\\.)*)\"");

    @BeforeAll
    static void startServer() throws Exception {
        start(builder -> builder.accessLogFormat(AccessLogFormat.COMBINED));
    }

    @Test
    void aMalformedRequestIsLoggedAsItArrivedNotAsNettysPlaceholder() throws Exception {
        try (RawHttp http = raw()) {
            http.send("\r\n\u0001\u0002 NOT \"HTTP\" AT ALL\r\n\r\n");
            assertEquals(400, http.read(true).status());
        }
        Matcher line = logged(" 400 ");
        assertEquals("\\x01\\x02 NOT \\\"HTTP\\\" AT ALL", line.group(2));
        assertEquals("127.0.0.1", line.group(1));
    }

    @Test
    void aMalformedRequestAfterAGoodOneOnTheSameConnectionIsLoggedAsItArrived() throws Exception {
        try (RawHttp http = raw()) {
            assertEquals(200, http.get("/hello.txt").status());
            http.send("GET /hello.txt HTTP/1.1 trailing-words\r\n\r\n");
            assertEquals(400, http.read(true).status());
        }
        assertEquals("GET /hello.txt HTTP/1.1", logged(" 200 ").group(2));
        assertEquals("GET /hello.txt HTTP/1.1 trailing-words", logged(" 400 ").group(2));
    }

    @Test
    void anOverlongRequestLineIsLoggedByItsFirstKilobyte() throws Exception {
        String path = "/" + "a".repeat(9000);
        try (RawHttp http = raw()) {
            http.send("GET " + path + " HTTP/1.1\r\nHost: t\r\n\r\n");
            assertEquals(414, http.read(true).status());
        }
        String field = logged(" 414 ").group(2);
        assertEquals(RequestDecoder.MAX_KEPT_LINE, field.length());
        assertEquals(("GET " + path).substring(0, RequestDecoder.MAX_KEPT_LINE), field);
    }

    @Test
    void theCombinedFormatAddsRefererAndUserAgentEscaped() throws Exception {
        try (RawHttp http = raw()) {
            assertEquals(200, http.get("/hello.txt", "Referer: http://example.com/\"q\"", "User-Agent: probe/1.0 \u00e9").status());
            assertEquals(404, http.get("/missing").status());
        }
        Matcher ok = logged(" 200 ");
        assertEquals("GET /hello.txt HTTP/1.1", ok.group(2));
        assertEquals("13", ok.group(4));
        assertEquals("http://example.com/\\\"q\\\"", ok.group(5));
        assertEquals("probe/1.0 \\xe9", ok.group(6));
        Matcher missing = logged(" 404 ");
        assertEquals("-", missing.group(5));
        assertEquals("-", missing.group(6));
    }

    /** The next access-log line with {@code marker}, parsed; lines of earlier tests are skipped. */
    private static Matcher logged(String marker) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        for (long left; (left = deadline - System.nanoTime()) > 0; ) {
            String line = accessLog.poll(left, TimeUnit.NANOSECONDS);
            if (line != null && line.contains(marker)) {
                Matcher matcher = COMBINED.matcher(line);
                assertEquals(true, matcher.matches(), line);
                return matcher;
            }
        }
        assertNotNull(null, "no access log line with" + marker);
        return null;
    }
}
