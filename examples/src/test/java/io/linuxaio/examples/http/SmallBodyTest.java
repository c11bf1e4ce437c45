package io.linuxaio.examples.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.linuxaio.LinuxAio;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A body of up to {@link Pipelines#WHOLE_BODY_MAX_BYTES} that the page cache holds is read on the
 * loop straight into the response, with one read, no trip through the engine and no sendfile; one
 * that cannot be read that way (here: first tries switched off) goes through the engine's reads as
 * a larger body does. Both ways send the same bytes, whole or as a range, over every protocol.
 */
class SmallBodyTest extends EveryProtocolTestBase {
    static final byte[] SMALL = new byte[Pipelines.WHOLE_BODY_MAX_BYTES]; // the largest read whole

    @BeforeAll
    static void startServer() throws Exception {
        start(builder -> builder);
        new Random(11).nextBytes(SMALL);
        writeCached("small.bin", SMALL);
    }

    @Test
    void aCachedSmallBodyIsOneReadOnTheLoop() throws Exception {
        long reads = statusCounter("reads");
        long toPool = statusCounter("readsToPool");
        long sendfiles = statusCounter("sendfiles") + statusCounter("sendfilesNotCached");
        assertServedWholeAndInPart();
        assertEquals(reads + 2, statusCounter("reads"), "one read a response: " + server.statusLine());
        assertEquals(toPool, statusCounter("readsToPool"), server.statusLine());
        assertEquals(sendfiles, statusCounter("sendfiles") + statusCounter("sendfilesNotCached"), server.statusLine());
    }

    @Test
    void aSmallBodyTheLoopMayNotReadComesThroughTheEngine() throws Exception {
        LinuxAio engine = serverField(server, "aio", LinuxAio.class);
        long reads = statusCounter("reads");
        engine.inline(false);
        try {
            assertServedWholeAndInPart();
        } finally {
            engine.inline(true);
        }
        assertEquals(reads, statusCounter("reads"), "nothing read on a loop: " + server.statusLine());
    }

    private void assertServedWholeAndInPart() throws Exception {
        HttpResponse<byte[]> whole = get("/small.bin");
        assertEquals(200, whole.statusCode());
        assertEquals(String.valueOf(SMALL.length), whole.headers().firstValue("content-length").orElse(null));
        assertArrayEquals(SMALL, whole.body());
        HttpResponse<byte[]> part = get("/small.bin", "Range", "bytes=1000-8999");
        assertEquals(206, part.statusCode());
        assertEquals("bytes 1000-8999/" + SMALL.length, part.headers().firstValue("content-range").orElse(null));
        assertArrayEquals(Arrays.copyOfRange(SMALL, 1000, 9000), part.body());
    }
}
