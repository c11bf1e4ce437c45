package io.linuxaio;

import static io.linuxaio.Polling.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * {@link LinuxAio#readIfCached}: a read on the calling thread only when the page cache holds every
 * byte asked for, and otherwise nothing moved. Files live under the build directory, where
 * eviction works (not tmpfs).
 */
class ReadIfCachedTest extends PageCacheTestBase {
    ReadIfCachedTest() throws IOException {
        super("read-if-cached-");
    }

    @Test
    void aCachedRangeIsReadAtOnceIntoADirectBuffer() throws Exception {
        byte[] data = random(300_000);
        AioFile file = openCached("direct", data);
        ByteBuffer dst = ByteBuffer.allocateDirect(200_100);
        dst.position(100);
        InlineStats before = aio.inlineStats();
        assertEquals(200_000, aio.readIfCached(file, 1000, dst));
        assertEquals(200_100, dst.position(), "moved past the bytes read");
        byte[] read = new byte[200_000];
        dst.get(100, read);
        assertArrayEquals(Arrays.copyOfRange(data, 1000, 201_000), read);
        assertEquals(before.reads() + 1, aio.inlineStats().reads());
        assertEquals(0, aio.nreqs(), "nothing queued: it is not a request");
        await(aio, aio.close(file, null));
    }

    @Test
    void aHeapBufferIsFilledThroughTheBounceBuffer() throws Exception {
        byte[] data = random(10_000);
        AioFile file = openCached("heap", data);
        ByteBuffer dst = ByteBuffer.allocate(5_007);
        dst.position(7);
        assertEquals(5_000, aio.readIfCached(file, 5_000, dst));
        assertEquals(5_007, dst.position());
        assertArrayEquals(Arrays.copyOfRange(data, 5_000, 10_000), Arrays.copyOfRange(dst.array(), 7, 5_007));
        await(aio, aio.close(file, null));
    }

    @Test
    void aRangeWithPagesMissingFromTheCacheReadsNothingAndMovesNothing() throws Exception {
        byte[] data = random(1 << 20);
        withOnlyTheStartCached("evicted", data, 800_000, file -> {
            ByteBuffer dst = ByteBuffer.allocateDirect(data.length);
            InlineStats before = aio.inlineStats();
            int n = aio.readIfCached(file, 0, dst);
            if (n == data.length) {
                assertEquals(data.length, dst.position());
                return false; // the kernel read the rest in between the two tries
            }
            assertEquals(-1, n);
            assertEquals(0, dst.position());
            assertEquals(before.readsToPool() + 1, aio.inlineStats().readsToPool(), "counted as a read the pool must do");
            assertEquals(0, aio.nreqs(), "and nothing queued for it: the caller decides");
            dst.limit(800_000);
            assertEquals(800_000, aio.readIfCached(file, 0, dst), "the part still cached is read");
            return true;
        });
    }

    @Test
    void theEndOfTheFileEndsTheRead() throws Exception {
        byte[] data = random(10_000);
        AioFile file = openCached("short", data);
        ByteBuffer dst = ByteBuffer.allocateDirect(50_000);
        assertEquals(10_000, aio.readIfCached(file, 0, dst));
        assertEquals(10_000, dst.position());
        assertEquals(0, aio.readIfCached(file, 20_000, dst), "past the end: nothing to read, and nothing to wait for");
        await(aio, aio.close(file, null));
    }

    @Test
    void inlineFalseReadsNothing() throws Exception {
        AioFile file = openCached("strict", random(10_000));
        aio.inline(false);
        ByteBuffer dst = ByteBuffer.allocateDirect(10_000);
        assertEquals(-1, aio.readIfCached(file, 0, dst));
        assertEquals(0, dst.position());
        aio.inline(true);
        assertEquals(10_000, aio.readIfCached(file, 0, dst));
        await(aio, aio.close(file, null));
    }

    @Test
    void aFileSystemThatRefusesRwfNowaitLeavesTheReadToTheEngine() throws Exception {
        byte[] data = random(10_000);
        AioFile file = openCached("refused", data);
        aio.shared().inline.injectErrno(Errno.EOPNOTSUPP);
        ByteBuffer dst = ByteBuffer.allocateDirect(10_000);
        assertEquals(-1, aio.readIfCached(file, 0, dst));
        assertEquals(1, aio.inlineStats().refused());
        assertEquals(-1, aio.readIfCached(file, 0, dst), "not tried again on that file system");
        assertEquals(10_000, (int) await(aio, aio.read(file, 0, dst, null)), "the engine's read does it");
        await(aio, aio.close(file, null));
    }

    @Test
    void badArgumentsThrowInTheCallerAndTryNothing() throws Exception {
        AioFile file = openCached("args", random(100));
        ByteBuffer dst = ByteBuffer.allocateDirect(100);
        assertThrows(NullPointerException.class, () -> aio.readIfCached(null, 0, dst));
        assertThrows(NullPointerException.class, () -> aio.readIfCached(file, 0, null));
        assertThrows(ReadOnlyBufferException.class, () -> aio.readIfCached(file, 0, dst.asReadOnlyBuffer()));
        assertThrows(IllegalArgumentException.class, () -> aio.readIfCached(file, -1, dst));
        assertThrows(IllegalArgumentException.class, () -> aio.readIfCached(file, Long.MAX_VALUE, dst));
        await(aio, aio.close(file, null));
        assertThrows(IllegalStateException.class, () -> aio.readIfCached(file, 0, dst));
        InlineStats stats = aio.inlineStats();
        assertEquals(0, stats.reads() + stats.readsToPool(), "nothing was tried");
        assertEquals(0, dst.position());
        assertTrue(dst.isDirect());
    }
}
