package io.linuxaio;

import static io.linuxaio.Polling.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * {@link LinuxAio#sendfileIfCached}: a sendfile on the calling thread only when mincore finds the
 * whole range in the page cache. The output here is a regular file, which sendfile takes as it
 * takes a socket. Files live under the build directory, where eviction works (not tmpfs).
 */
class SendfileIfCachedTest extends PageCacheTestBase {
    SendfileIfCachedTest() throws IOException {
        super("sendfile-");
    }

    @Test
    void aCachedRangeIsSentAtOnceOnTheCallingThread() throws Exception {
        byte[] data = random(300_000);
        AioFile in = openCached("cached", data);
        AioFile out = output();
        InlineStats before = aio.inlineStats();
        assertEquals(200_000, aio.sendfileIfCached(in, 1000, 200_000, out.fd()));
        assertArrayEquals(Arrays.copyOfRange(data, 1000, 201_000), Files.readAllBytes(dir.resolve("out")));
        assertEquals(before.sendfiles() + 1, aio.inlineStats().sendfiles());
        assertEquals(0, aio.nreqs(), "nothing queued: it is not a request");
        await(aio, aio.close(in, null));
        await(aio, aio.close(out, null));
    }

    @Test
    void aRangeWithAPageMissingFromTheCacheSendsNothing() throws Exception {
        byte[] data = random(1 << 20);
        AioFile in = openWithOnlyTheStartCached("evicted", data, 800_000);
        AioFile out = output();
        InlineStats before = aio.inlineStats();
        assertEquals(-1, aio.sendfileIfCached(in, 0, data.length, out.fd()));
        assertEquals(0, Files.size(dir.resolve("out")), "not one byte of it");
        assertEquals(before.sendfilesNotCached() + 1, aio.inlineStats().sendfilesNotCached());
        assertEquals(before.sendfiles(), aio.inlineStats().sendfiles());
        assertEquals(800_000, aio.sendfileIfCached(in, 0, 800_000, out.fd()), "the part still cached goes");
        await(aio, aio.close(in, null));
        await(aio, aio.close(out, null));
    }

    @Test
    void aRangePastTheEndOfTheFileIsNotCached() throws Exception {
        AioFile in = openCached("short", random(10_000));
        AioFile out = output();
        assertEquals(-1, aio.sendfileIfCached(in, 0, 50_000, out.fd()));
        assertEquals(0, Files.size(dir.resolve("out")));
        await(aio, aio.close(in, null));
        await(aio, aio.close(out, null));
    }

    /** glibc's setfsuid: the file system identity of the calling thread alone. */
    interface FsUid extends Library {
        FsUid LIBC = Native.load("c", FsUid.class);

        int setfsuid(int uid);
    }

    /**
     * mincore reports a file's pages only to a caller that owns it, has CAP_FOWNER or may write it;
     * to anyone else every page looks resident. A thread of this (root) process whose file system
     * identity is {@code nobody} is such a caller for a root-owned file of mode 0644: before the
     * probe, an evicted file was sent from the disk on the calling thread.
     */
    @Test
    void aFileMincoreDoesNotAnswerForIsNeverSentOnTheCallingThread() throws Exception {
        byte[] data = random(1 << 20);
        AioFile evicted = openCached("not-ours-evicted", data);
        AioFile cached = openCached("not-ours-cached", data);
        assertEquals(0, Posix.posix_fadvise(evicted.fd(), 0, 0, Posix.POSIX_FADV_DONTNEED));
        AioFile out = output();
        long[] sent = new long[2];
        int[] fsuid = new int[1];
        Throwable[] failed = new Throwable[1];
        Thread nobody = new Thread(() -> {
            FsUid.LIBC.setfsuid(65534);
            try {
                fsuid[0] = FsUid.LIBC.setfsuid(-1); // an invalid id changes nothing and returns the current one
                sent[0] = aio.sendfileIfCached(evicted, 0, data.length, out.fd());
                sent[1] = aio.sendfileIfCached(cached, 0, data.length, out.fd());
            } catch (Throwable t) {
                failed[0] = t;
            } finally {
                FsUid.LIBC.setfsuid(0);
            }
        });
        long refused = aio.inlineStats().refused();
        nobody.start();
        nobody.join();
        assumeTrue(fsuid[0] == 65534, "needs root, to take another file system identity on one thread");
        assertEquals(null, failed[0]);
        assertEquals(-1, sent[0], "an evicted file: mincore said every page was there, but it was not asked");
        assertEquals(-1, sent[1], "a cached one too: mincore's answer cannot be told from its silence");
        assertEquals(0, Files.size(dir.resolve("out")), "not one byte sent");
        assertEquals(refused + 1, aio.inlineStats().refused(), "counted once, with its warning, for both files");
        assertEquals(-1, aio.sendfileIfCached(cached, 0, data.length, out.fd()), "the file's answer is kept");
        assertEquals(refused + 1, aio.inlineStats().refused());
        AioFile same = open(dir.resolve("not-ours-cached"));
        // Read again first: these machines page out memory left untouched for about a minute
        // (DAMON), and under qemu this test has taken that long.
        long sentBySame = -1;
        for (int tries = 0; sentBySame < 0 && tries < 3; tries++) {
            Files.readAllBytes(dir.resolve("not-ours-cached"));
            sentBySame = aio.sendfileIfCached(same, 0, data.length, out.fd());
        }
        assertEquals(data.length, sentBySame, "the same file opened by a thread mincore answers is sent");
        closeAll(evicted, cached, same, out);
    }

    @Test
    void aKernelThatRefusesCachestatSwitchesItOffWithOneWarning() throws Exception {
        AioFile in = openCached("refused", random(10_000));
        AioFile out = output();
        List<String> warnings = new ArrayList<>();
        Logger logger = Logger.getLogger(LinuxAio.class.getName());
        Handler collect = new Handler() {
            @Override
            public void publish(LogRecord record) {
                warnings.add(record.getMessage());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        logger.addHandler(collect);
        try {
            aio.shared().inline.injectErrno(Errno.ENOSYS);
            for (int i = 0; i < 3; i++) {
                assertEquals(-1, aio.sendfileIfCached(in, 0, 10_000, out.fd()));
            }
        } finally {
            logger.removeHandler(collect);
        }
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("mincore") && warnings.get(0).contains("ENOSYS"), warnings.get(0));
        assertEquals(1, aio.inlineStats().refused());
        assertEquals(0, aio.inlineStats().sendfiles() + aio.inlineStats().sendfilesNotCached(), "not tried again");
        assertEquals(0, Files.size(dir.resolve("out")));
        await(aio, aio.close(in, null));
        await(aio, aio.close(out, null));
    }

    @Test
    void aMappingRefusedForNowSendsNothingButIsTriedAgain() throws Exception {
        AioFile in = openCached("enomem", random(10_000));
        AioFile out = output();
        aio.shared().inline.injectErrno(Errno.ENOMEM);
        assertEquals(-1, aio.sendfileIfCached(in, 0, 10_000, out.fd()), "out of mappings: read instead");
        assertEquals(0, aio.inlineStats().refused(), "not a refusal");
        assertEquals(10_000, aio.sendfileIfCached(in, 0, 10_000, out.fd()), "the next one is tried");
        await(aio, aio.close(in, null));
        await(aio, aio.close(out, null));
    }

    @Test
    void inlineFalseSendsNothing() throws Exception {
        AioFile in = openCached("strict", random(10_000));
        AioFile out = output();
        aio.inline(false);
        assertEquals(-1, aio.sendfileIfCached(in, 0, 10_000, out.fd()));
        assertEquals(0, Files.size(dir.resolve("out")));
        aio.inline(true);
        await(aio, aio.close(in, null));
        await(aio, aio.close(out, null));
    }

    @Test
    void aFailedSendfileIsAnAioExceptionNamingTheFile() throws Exception {
        Path path = file("to-a-reader", random(10_000));
        Files.readAllBytes(path);
        AioFile in = open(path);
        AioFile readOnly = open(path); // not writable: sendfile fails with EBADF
        AioException failure = assertThrows(AioException.class, () -> aio.sendfileIfCached(in, 0, 10_000, readOnly.fd()));
        assertEquals("EBADF", failure.errnoName());
        assertEquals(path.toString(), failure.path());
        await(aio, aio.close(in, null));
        await(aio, aio.close(readOnly, null));
    }

    @Test
    void badArgumentsThrowInTheCaller() throws Exception {
        Path path = file("args", random(100));
        AioFile in = open(path);
        assertThrows(NullPointerException.class, () -> aio.sendfileIfCached(null, 0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> aio.sendfileIfCached(in, -1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> aio.sendfileIfCached(in, 0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> aio.sendfileIfCached(in, Long.MAX_VALUE, 2, 1));
        assertThrows(IllegalArgumentException.class, () -> aio.sendfileIfCached(in, 0, 1, -1));
        await(aio, aio.close(in, null));
        assertThrows(IllegalStateException.class, () -> aio.sendfileIfCached(in, 0, 1, 1));
        assertEquals(0, aio.inlineStats().sendfiles() + aio.inlineStats().sendfilesNotCached(), "nothing was tried");
    }
}
