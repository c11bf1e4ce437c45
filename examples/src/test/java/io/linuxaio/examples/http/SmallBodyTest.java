package io.linuxaio.examples.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.linuxaio.LinuxAio;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A body of up to {@link Pipelines#WHOLE_BODY_MAX_BYTES} that the page cache holds is read on the
 * loop straight into the response, with one read, no trip through the worker pool and no sendfile
 * (up to {@link Pipelines#READ_BODY_MAX_BYTES} by a read request of the loop's context, larger ones
 * on the spot); one that cannot be read that way (here: first tries switched off) goes through the
 * engine's workers. Every way sends the same bytes, whole or as a range, over every protocol, and
 * many clients at once each get their own.
 */
class SmallBodyTest extends EveryProtocolTestBase {
    static final byte[] SMALL = new byte[Pipelines.WHOLE_BODY_MAX_BYTES]; // the largest read whole
    static final byte[] TINY = new byte[Pipelines.READ_BODY_MAX_BYTES]; // the largest read by a request

    @BeforeAll
    static void startServer() throws Exception {
        start(builder -> builder);
        new Random(11).nextBytes(SMALL);
        writeCached("small.bin", SMALL);
        new Random(12).nextBytes(TINY);
        writeCached("tiny.bin", TINY);
    }

    @Test
    void aCachedBodyReadByARequestIsOneReadOnTheLoop() throws Exception {
        long reads = statusCounter("reads");
        long toPool = statusCounter("readsToPool");
        HttpResponse<byte[]> whole = get("/tiny.bin");
        assertEquals(200, whole.statusCode());
        assertArrayEquals(TINY, whole.body());
        HttpResponse<byte[]> part = get("/tiny.bin", "Range", "bytes=100-199");
        assertEquals(206, part.statusCode());
        assertArrayEquals(Arrays.copyOfRange(TINY, 100, 200), part.body());
        assertEquals(reads + 2, statusCounter("reads"), "one read a response: " + server.statusLine());
        assertEquals(toPool, statusCounter("readsToPool"), server.statusLine());
    }

    @Test
    void manyClientsAtOnceEachGetTheirOwnSmallBody() throws Exception {
        List<CompletableFuture<HttpResponse<byte[]>>> responses = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            String range = "bytes=" + i * 100 + "-" + (i * 100 + 99 + i);
            responses.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return get("/tiny.bin", "Range", range);
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            }));
        }
        for (int i = 0; i < responses.size(); i++) {
            HttpResponse<byte[]> part = responses.get(i).get(60, TimeUnit.SECONDS);
            assertEquals(206, part.statusCode());
            assertArrayEquals(Arrays.copyOfRange(TINY, i * 100, i * 100 + 100 + i), part.body(), "range " + i);
        }
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
