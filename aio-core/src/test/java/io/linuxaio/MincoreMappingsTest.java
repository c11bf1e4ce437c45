package io.linuxaio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;

/**
 * The mappings {@link LinuxAio#sendfileIfCached} keeps for its page-cache checks
 * ({@link MincoreMappings}): one a file, whichever descriptor or thread checks it; answering for the
 * pages as they are at each check; never for another file at the same path; unmapped when idle and
 * when the engine closes. Mappings are counted in /proc/self/maps.
 */
class MincoreMappingsTest extends PageCacheTestBase {
    MincoreMappingsTest() throws IOException {
        super("mappings-");
    }

    /** Lines of /proc/self/maps that map {@code path} (or what was at it, deleted since). */
    private static long mappingsOf(Path path) throws IOException {
        String name = path.toAbsolutePath().toString();
        return Files.readAllLines(Path.of("/proc/self/maps")).stream()
                .filter(line -> line.endsWith(" " + name) || line.endsWith(" " + name + " (deleted)"))
                .count();
    }

    private static long mapped(Path path) {
        try {
            return mappingsOf(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void assumeKept(AioFile file) {
        assumeTrue(file.fileSystem == FileSystemKind.LOCAL_NO_FLUSH, "the build directory is on " + file.fileSystem
                + ", whose files' mappings are not kept");
    }

    @Test
    void aFileCheckedThroughTwoDescriptorsAndTwoThreadsIsMappedOnce() throws Exception {
        byte[] data = random(300_000);
        AioFile first = openCached("twice", data);
        assumeKept(first);
        AioFile second = open(dir.resolve("twice"));
        AioFile out = output();
        assertEquals(0, mappingsOf(dir.resolve("twice")));
        assertEquals(data.length, aio.sendfileIfCached(first, 0, data.length, out.fd()));
        assertEquals(1, mappingsOf(dir.resolve("twice")), "kept after the check");
        long[] sent = new long[1];
        Thread other = new Thread(() -> {
            try {
                sent[0] = aio.sendfileIfCached(second, 0, data.length, out.fd());
            } catch (AioException e) {
                sent[0] = -2;
            }
        });
        other.start();
        other.join();
        assertEquals(data.length, sent[0]);
        assertEquals(1, mappingsOf(dir.resolve("twice")), "the same mapping answered the other descriptor and thread");
        assertEquals(1, aio.shared().inline.mappings.size());
        byte[] both = Files.readAllBytes(dir.resolve("out"));
        assertArrayEquals(data, Arrays.copyOfRange(both, 0, data.length));
        assertArrayEquals(data, Arrays.copyOfRange(both, data.length, both.length));
        closeAll(first, second, out);
        assertEquals(1, mappingsOf(dir.resolve("twice")), "kept after its descriptors closed, for the next open");
    }

    @Test
    void aKeptMappingAnswersForThePagesAsTheyAreAtEachCheck() throws Exception {
        byte[] data = random(1 << 20);
        AioFile in = openCached("evicted-later", data);
        assumeKept(in);
        AioFile out = output();
        assertEquals(data.length, aio.sendfileIfCached(in, 0, data.length, out.fd()));
        assertEquals(0, Posix.posix_fadvise(in.fd(), 0, 0, Posix.POSIX_FADV_DONTNEED));
        InlineStats before = aio.inlineStats();
        assertEquals(-1, aio.sendfileIfCached(in, 0, data.length, out.fd()), "evicted since: nothing sent");
        assertEquals(before.sendfilesNotCached() + 1, aio.inlineStats().sendfilesNotCached());
        assertEquals(data.length, Files.size(dir.resolve("out")));
        assertEquals(1, mappingsOf(dir.resolve("evicted-later")), "checked on the mapping kept");
        closeAll(in, out);
    }

    @Test
    void anotherFileAtTheSamePathIsNotAnsweredForByTheOldOnesMapping() throws Exception {
        Path path = dir.resolve("replaced");
        AioFile old = openCached("replaced", random(200_000));
        assumeKept(old);
        AioFile out = output();
        assertEquals(200_000, aio.sendfileIfCached(old, 0, 200_000, out.fd()));
        closeAll(old);
        Files.delete(path);
        byte[] data = random(200_000);
        file("replaced", data); // written and synced: clean pages, dropped next
        AioFile replacement = open(path);
        assertEquals(0, Posix.posix_fadvise(replacement.fd(), 0, 0, Posix.POSIX_FADV_DONTNEED));
        assertEquals(-1, aio.sendfileIfCached(replacement, 0, 200_000, out.fd()),
                "the old file's pages are cached, the new one's are not");
        Files.readAllBytes(path);
        assertEquals(200_000, aio.sendfileIfCached(replacement, 0, 200_000, out.fd()));
        byte[] sent = Files.readAllBytes(dir.resolve("out"));
        assertArrayEquals(data, Arrays.copyOfRange(sent, 200_000, sent.length));
        assertEquals(2, aio.shared().inline.mappings.size(), "one for each file: the deleted one until it is idle");
        closeAll(replacement, out);
    }

    @Test
    void aFileSentFurtherOnIsMappedFurtherAndStillOnce() throws Exception {
        byte[] data = random(6 << 20);
        AioFile in = openCached("growing", data);
        assumeKept(in);
        AioFile out = output();
        assertEquals(100_000, aio.sendfileIfCached(in, 0, 100_000, out.fd()));
        assertEquals(1 << 20, aio.sendfileIfCached(in, 5 << 20, 1 << 20, out.fd()));
        assertEquals(1, mappingsOf(dir.resolve("growing")), "the short one replaced, not kept beside it");
        byte[] sent = Files.readAllBytes(dir.resolve("out"));
        assertArrayEquals(Arrays.copyOfRange(data, 5 << 20, 6 << 20), Arrays.copyOfRange(sent, 100_000, sent.length));
        closeAll(in, out);
    }

    @Test
    void aMappingUnusedForASecondIsUnmappedAndItsDeletedFileLetGo() throws Exception {
        Path path = dir.resolve("idle");
        AioFile in = openCached("idle", random(100_000));
        assumeKept(in);
        AioFile out = output();
        assertEquals(100_000, aio.sendfileIfCached(in, 0, 100_000, out.fd()));
        closeAll(in);
        Files.delete(path);
        assertEquals(1, mappingsOf(path), "kept a moment after its file was deleted");
        Polling.eventually("unmapped once idle, by the engine's own thread", () -> mapped(path) == 0);
        assertEquals(0, aio.shared().inline.mappings.size());
        closeAll(out);
    }

    @Test
    void closingTheEngineUnmapsThemAll() throws Exception {
        AioFile in = openCached("closing", random(100_000));
        assumeKept(in);
        AioFile out = output();
        assertEquals(100_000, aio.sendfileIfCached(in, 0, 100_000, out.fd()));
        closeAll(in, out);
        assertEquals(1, mappingsOf(dir.resolve("closing")));
        assertTrue(aio.shared().inline.mappings.reaperAlive());
        aio.close();
        assertEquals(0, mappingsOf(dir.resolve("closing")));
        assertFalse(aio.shared().inline.mappings.reaperAlive(), "its reaper stopped");
    }
}
