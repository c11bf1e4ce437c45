package io.linuxaio.examples.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A cached body over {@link Pipelines#WHOLE_BODY_MAX_BYTES} goes out with sendfile on a plain
 * HTTP/1.1 connection, ranges included; one up to it, and every body over HTTP/2, is read into
 * buffers. Each test runs over every protocol; the engine's counters, as the status line shows
 * them, tell which way the bytes went.
 */
class SendfileTest extends EveryProtocolTestBase {
    static final byte[] LARGE = new byte[3 << 20];

    @BeforeAll
    static void startServer() throws Exception {
        start(builder -> builder);
        new Random(7).nextBytes(LARGE);
        writeCached("large.bin", LARGE);
    }

    @Test
    void aLargeCachedBodyGoesOutWithSendfileOverPlainHttp1Only() throws Exception {
        long before = statusCounter("sendfiles");
        HttpResponse<byte[]> whole = get("/large.bin");
        assertEquals(200, whole.statusCode());
        assertArrayEquals(LARGE, whole.body());
        HttpResponse<byte[]> range = get("/large.bin", "Range", "bytes=100000-2999999");
        assertEquals(206, range.statusCode());
        assertArrayEquals(Arrays.copyOfRange(LARGE, 100_000, 3_000_000), range.body());
        long sendfiles = statusCounter("sendfiles") - before;
        if (protocol == Protocol.HTTP_1_1) {
            assertTrue(sendfiles >= 2, "one or more for each body: " + server.statusLine());
        } else {
            assertEquals(0, sendfiles, "HTTP/2 frames every body: " + server.statusLine());
        }
    }

    @Test
    void aBodyJustOverTheWholeReadLimitGoesOutWithSendfileOverPlainHttp1() throws Exception {
        byte[] justOver = Arrays.copyOf(LARGE, Pipelines.WHOLE_BODY_MAX_BYTES + 1);
        writeCached("just-over.bin", justOver);
        long before = statusCounter("sendfiles");
        HttpResponse<byte[]> response = get("/just-over.bin");
        assertEquals(200, response.statusCode());
        assertArrayEquals(justOver, response.body());
        if (protocol == Protocol.HTTP_1_1) {
            // The loop counts a sendfile as the call returns, which may be after the client has the bytes.
            await("a sendfile counted", () -> statusCounter("sendfiles") > before);
        } else {
            assertEquals(before, statusCounter("sendfiles"), "HTTP/2 frames every body: " + server.statusLine());
        }
    }

    @Test
    void aSmallBodyLeavesWithItsHeadInOneWriteNotWithSendfile() throws Exception {
        long before = statusCounter("sendfiles");
        HttpResponse<byte[]> small = get("/hello.txt");
        assertEquals(200, small.statusCode());
        assertEquals("hello, world\n", new String(small.body(), java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(before, statusCounter("sendfiles"), server.statusLine());
    }
}
