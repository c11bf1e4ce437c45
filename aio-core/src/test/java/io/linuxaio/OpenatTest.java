package io.linuxaio;

import static io.linuxaio.Fcntl.*;
import static io.linuxaio.Polling.await;
import static io.linuxaio.Polling.failure;
import static io.linuxaio.Resolve.*;
import static org.junit.jupiter.api.Assertions.*;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** openat and openatStat: paths relative to an open directory, with the kernel's resolve limits. */
class OpenatTest {
    private static final int BENEATH = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;

    @TempDir Path base;
    private Path root;
    private final LinuxAio aio = new LinuxAio();
    private AioFile rootDir;

    /** {@code base/root} is the directory requests are relative to; {@code base/outside.txt} is not under it. */
    @BeforeEach
    void tree() throws Exception {
        root = Files.createDirectory(base.resolve("root"));
        Files.writeString(base.resolve("outside.txt"), "outside");
        Files.createDirectory(root.resolve("sub"));
        Files.writeString(root.resolve("sub/inner.txt"), "inner bytes");
        Files.createSymbolicLink(root.resolve("inside-link"), Path.of("sub/inner.txt"));
        Files.createSymbolicLink(root.resolve("sub/up-link"), Path.of("../sub/inner.txt"));
        Files.createSymbolicLink(root.resolve("relative-escape"), Path.of("../outside.txt"));
        Files.createSymbolicLink(root.resolve("absolute-escape"), base.resolve("outside.txt"));
        Files.createSymbolicLink(root.resolve("rooted-link"), Path.of("/sub/inner.txt"));
        rootDir = await(aio, aio.open(root.toString(), O_PATH | O_DIRECTORY, 0, null));
    }

    @AfterEach
    void closeEngine() throws Exception {
        try {
            if (!rootDir.isClosed()) {
                await(aio, aio.close(rootDir, null));
            }
        } finally {
            aio.close();
        }
    }

    private String read(AioFile file) throws AioException {
        byte[] data = new byte[64];
        int n = await(aio, aio.read(file, 0, data.length, data, 0, null));
        return new String(data, 0, n, StandardCharsets.UTF_8);
    }

    private String openAndRead(String path, int resolve) throws AioException {
        AioFile file = await(aio, aio.openat(rootDir, path, O_RDONLY, 0, resolve, null));
        try {
            return read(file);
        } finally {
            await(aio, aio.close(file, null));
        }
    }

    @Test
    void aRelativeOpenReadsTheFileUnderTheDirectory() throws Exception {
        AioFile file = await(aio, aio.openat(rootDir, "sub/inner.txt", O_RDONLY, 0, 0, null));
        assertEquals(root + "/sub/inner.txt", file.path());
        assertEquals("inner bytes", read(file));
        await(aio, aio.close(file, null));
    }

    @Test
    void aNullDirectoryMeansTheCurrentOne() throws Exception {
        // Surefire runs in the module's directory, which holds pom.xml.
        AioFile file = await(aio, aio.openat(null, "pom.xml", O_RDONLY, 0, 0, null));
        assertEquals("pom.xml", file.path());
        assertEquals(Files.size(Path.of("pom.xml")), await(aio, aio.stat(file, null)).size());
        await(aio, aio.close(file, null));
    }

    @Test
    void openatCreatesWithTheMode() throws Exception {
        AioFile file = await(aio, aio.openat(rootDir, "sub/new", O_WRONLY | O_CREAT | O_EXCL, 0640, BENEATH, null));
        assertEquals(3, await(aio, aio.write(file, 0, 3, "abc".getBytes(StandardCharsets.US_ASCII), 0, null)));
        await(aio, aio.close(file, null));
        assertEquals("abc", Files.readString(root.resolve("sub/new")));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve("sub/new"))));
    }

    @Test
    void openatStatGivesTheStatOfTheOpenedFile() throws Exception {
        Path inner = root.resolve("sub/inner.txt");
        Files.setLastModifiedTime(inner, FileTime.from(Instant.parse("2011-12-13T14:15:16.123456789Z")));
        OpenedFile opened = await(aio, aio.openatStat(rootDir, "sub/inner.txt", O_RDONLY, 0, BENEATH, null));
        Stat separate = await(aio, aio.stat(inner.toString(), null));
        assertEquals(root + "/sub/inner.txt", opened.file().path());
        assertEquals(separate, opened.stat());
        assertEquals(11, opened.stat().size());
        assertEquals(Instant.parse("2011-12-13T14:15:16.123456789Z"), opened.stat().mtime());
        assertTrue(opened.stat().isRegularFile());
        assertEquals("inner bytes", read(opened.file()));
        await(aio, aio.close(opened.file(), null));
    }

    @Test
    void openatStatOfADirectoryThroughALinkStatsTheTarget() throws Exception {
        Files.createSymbolicLink(root.resolve("sub-link"), Path.of("sub"));
        OpenedFile opened = await(aio, aio.openatStat(rootDir, "sub-link", O_RDONLY | O_DIRECTORY, 0, BENEATH, null));
        assertTrue(opened.stat().isDirectory());
        assertEquals(await(aio, aio.stat(root.resolve("sub").toString(), null)).ino(), opened.stat().ino());
        await(aio, aio.close(opened.file(), null));
    }

    @Test
    void beneathRefusesEveryWayOutWithExdev() {
        for (String path : List.of("../outside.txt", "sub/../../outside.txt", base.resolve("outside.txt").toString(),
                "relative-escape", "absolute-escape", "rooted-link")) {
            AioException e = failure(aio, aio.openat(rootDir, path, O_RDONLY, 0, BENEATH, null));
            assertEquals("EXDEV", e.errnoName(), path);
            AioException withStat = failure(aio, aio.openatStat(rootDir, path, O_RDONLY, 0, BENEATH, null));
            assertEquals("EXDEV", withStat.errnoName(), path);
        }
    }

    @Test
    void beneathLetsLinksAndDotDotThatStayInsideThrough() throws Exception {
        assertEquals("inner bytes", openAndRead("inside-link", BENEATH));
        assertEquals("inner bytes", openAndRead("sub/up-link", BENEATH));
        assertEquals("inner bytes", openAndRead("sub/../sub/inner.txt", BENEATH));
    }

    @Test
    void withoutLimitsTheSameEscapesSucceed() throws Exception {
        assertEquals("outside", openAndRead("relative-escape", 0));
        assertEquals("outside", openAndRead("../outside.txt", 0));
    }

    @Test
    void otherResolveFlagsReachTheKernel() throws Exception {
        assertEquals("inner bytes", openAndRead("rooted-link", RESOLVE_IN_ROOT));
        assertEquals("ELOOP", failure(aio, aio.openat(rootDir, "inside-link", O_RDONLY, 0, RESOLVE_NO_SYMLINKS, null)).errnoName());
        String magic = "/proc/self/fd/" + rootDir.fd() + "/sub/inner.txt";
        assertEquals("ELOOP", failure(aio, aio.openat(null, magic, O_RDONLY, 0, RESOLVE_NO_MAGICLINKS, null)).errnoName());
        AioFile viaMagic = await(aio, aio.openat(null, magic, O_RDONLY, 0, 0, null));
        assertEquals("inner bytes", read(viaMagic));
        await(aio, aio.close(viaMagic, null));
    }

    @Test
    void aMissingFileFailsWithEnoentNamingTheJoinedPath() {
        String expected = root + "/sub/missing.txt";
        for (AioRequest<?> request : List.of(
                aio.openat(rootDir, "sub/missing.txt", O_RDONLY, 0, BENEATH, null),
                aio.openatStat(rootDir, "sub/missing.txt", O_RDONLY, 0, BENEATH, null))) {
            AioException e = failure(aio, request);
            assertEquals("ENOENT", e.errnoName());
            assertEquals(2, e.errno());
            assertEquals("openat", e.call());
            assertEquals(expected, e.path());
            assertTrue(e.getMessage().contains(expected) && e.getMessage().contains("ENOENT"), e.getMessage());
        }
    }

    private void refused(Class<? extends Throwable> type, Executable call) {
        assertThrows(type, call);
        assertEquals(0, aio.nreqs(), "a refused call must not leave a request behind");
    }

    @Test
    void badArgumentsThrowInTheCaller() throws Exception {
        refused(NullPointerException.class, () -> aio.openat(rootDir, null, O_RDONLY, 0, 0, null));
        refused(NullPointerException.class, () -> aio.openatStat(rootDir, null, O_RDONLY, 0, 0, null));
        refused(IllegalArgumentException.class, () -> aio.openat(rootDir, "a\0b", O_RDONLY, 0, 0, null));
        refused(IllegalArgumentException.class, () -> aio.openat(rootDir, "n", O_WRONLY | O_CREAT, 010000, 0, null));
        refused(IllegalArgumentException.class, () -> aio.openat(rootDir, "n", O_RDONLY, 0644, 0, null));
        refused(IllegalArgumentException.class, () -> aio.openat(rootDir, "n", O_RDONLY, 0, 0x40, null));
        refused(IllegalArgumentException.class, () -> aio.openatStat(rootDir, "n", O_RDONLY, 0, RESOLVE_BENEATH | 0x100, null));
        AioFile closed = await(aio, aio.open(root.toString(), O_PATH | O_DIRECTORY, 0, null));
        await(aio, aio.close(closed, null));
        refused(IllegalStateException.class, () -> aio.openat(closed, "sub/inner.txt", O_RDONLY, 0, 0, null));
        refused(IllegalStateException.class, () -> aio.openatStat(closed, "sub/inner.txt", O_RDONLY, 0, 0, null));
        assertFalse(Files.exists(root.resolve("n")));
    }

    @Test
    void aCloseOfTheDirectoryWaitsForAnOpenatStillUsingIt() throws Exception {
        Path fifo = Fifos.make(root.resolve("fifo"));
        aio.maxParallel(2);
        int dirFd = rootDir.fd();
        String dirLink = Files.readSymbolicLink(Path.of("/proc/self/fd/" + dirFd)).toString();
        // Opening a FIFO for reading blocks until a writer comes: the openat holds the directory.
        AioRequest<AioFile> blocked = aio.openat(rootDir, "fifo", O_RDONLY, 0, BENEATH, null);
        AioRequest<Void> close = aio.close(rootDir, null);
        try {
            // The other worker takes the close, then this stat: once the stat is back, the close
            // has been seen, and must have left the descriptor open for the openat.
            await(aio, aio.stat(root.toString(), null));
            assertFalse(close.isDone());
            assertEquals(dirLink, Files.readSymbolicLink(Path.of("/proc/self/fd/" + dirFd)).toString());
        } finally {
            // A writer lets the openat finish; O_RDWR opens a FIFO at once even if no reader waits.
            // It stays open until the openat is back: the worker may not have reached open(2) yet.
            try (RandomAccessFile writer = new RandomAccessFile(fifo.toFile(), "rw")) {
                AioFile reader = await(aio, blocked);
                await(aio, close);
                assertTrue(await(aio, aio.stat(reader, null)).mode() != 0);
                await(aio, aio.close(reader, null));
            }
        }
    }

    @Test
    void noDescriptorIsLeftByAnyOutcome() throws Exception {
        // Only descriptors on this test's files (all beneath base, the escapes' target too): the
        // process's other descriptors come and go with what earlier tests left to the collector.
        long before = OpenDescriptors.beneath(base);
        for (int i = 0; i < 20; i++) {
            await(aio, aio.close(await(aio, aio.openatStat(rootDir, "sub/inner.txt", O_RDONLY, 0, BENEATH, null)).file(), null));
            await(aio, aio.close(await(aio, aio.openat(rootDir, "inside-link", O_RDONLY, 0, BENEATH, null)), null));
            failure(aio, aio.openatStat(rootDir, "missing", O_RDONLY, 0, BENEATH, null));
            failure(aio, aio.openatStat(rootDir, "relative-escape", O_RDONLY, 0, BENEATH, null));
            failure(aio, aio.openat(rootDir, "absolute-escape", O_RDONLY, 0, BENEATH, null));
            failure(aio, aio.openatStat(rootDir, "sub", O_WRONLY, 0, BENEATH, null));
        }
        assertEquals(before, OpenDescriptors.beneath(base));
    }
}
