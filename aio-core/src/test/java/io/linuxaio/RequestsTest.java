package io.linuxaio;

import static io.linuxaio.Fcntl.*;
import static io.linuxaio.Polling.await;
import static io.linuxaio.Polling.failure;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each request's success and its system errors, as a callback sees them. */
class RequestsTest extends EngineTestBase {
    @Test
    void openCreatesWithModeAndReturnsAFileEveryOtherCallAccepts() throws Exception {
        AioFile file = await(aio, aio.open(path("new"), O_WRONLY | O_CREAT, 0640, null));
        assertEquals(path("new"), file.path());
        assertTrue(file.fd() >= 0);
        assertEquals(3, await(aio, aio.write(file, 0, 3, "abc".getBytes(), 0, null)));
        assertEquals(3, await(aio, aio.stat(file, null)).size());
        await(aio, aio.fsync(file, null));
        await(aio, aio.fdatasync(file, null));
        await(aio, aio.close(file, null));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("new"))));
        assertEquals("abc", Files.readString(dir.resolve("new")));
    }

    @Test
    void openOfAMissingFileFailsWithEnoentNamingThePath() {
        AioException e = failure(aio, aio.open(path("missing"), O_RDONLY, 0, null));
        assertEquals(2, e.errno());
        assertEquals("ENOENT", e.errnoName());
        assertEquals("open", e.call());
        assertEquals(path("missing"), e.path());
        assertTrue(e.getMessage().contains("ENOENT") && e.getMessage().contains(path("missing")), e.getMessage());
    }

    @Test
    void openWithExclusiveCreateOfAnExistingFileFailsWithEexist() throws Exception {
        Files.writeString(dir.resolve("there"), "x");
        assertEquals("EEXIST", failure(aio, aio.open(path("there"), O_WRONLY | O_CREAT | O_EXCL, 0600, null)).errnoName());
    }

    @Test
    void openingADirectoryForWritingFailsWithEisdir() {
        assertEquals("EISDIR", failure(aio, aio.open(dir.toString(), O_WRONLY, 0, null)).errnoName());
    }

    @Test
    void aPathThroughARegularFileFailsWithEnotdir() throws Exception {
        Files.writeString(dir.resolve("plain"), "x");
        assertEquals("ENOTDIR", failure(aio, aio.stat(path("plain") + "/below", null)).errnoName());
        assertEquals("ENOTDIR", failure(aio, aio.open(path("plain") + "/below", O_RDONLY, 0, null)).errnoName());
    }

    @Test
    void writingAFileOpenedReadOnlyFailsWithEbadf() throws Exception {
        Files.writeString(dir.resolve("ro"), "x");
        AioFile file = await(aio, aio.open(path("ro"), O_RDONLY, 0, null));
        AioException e = failure(aio, aio.write(file, 0, 1, new byte[1], 0, null));
        assertEquals("EBADF", e.errnoName());
        assertEquals("write", e.call());
        await(aio, aio.close(file, null));
    }

    @Test
    void aClosedFileIsRefusedInTheCaller() throws Exception {
        Files.writeString(dir.resolve("f"), "x");
        AioFile file = await(aio, aio.open(path("f"), O_RDONLY, 0, null));
        await(aio, aio.close(file, null));
        assertTrue(file.isClosed());
        assertThrows(IllegalStateException.class, () -> aio.read(file, 0, 1, new byte[1], 0, null));
        assertThrows(IllegalStateException.class, () -> aio.stat(file, null));
        assertThrows(IllegalStateException.class, () -> aio.close(file, null));
        assertEquals(0, aio.nreqs());
    }

    @Test
    void statAndLstatTellALinkFromItsTarget() throws Exception {
        Path target = Files.writeString(dir.resolve("target"), "12345");
        Files.createSymbolicLink(dir.resolve("link"), target);
        Stat followed = await(aio, aio.stat(path("link"), null));
        Stat link = await(aio, aio.lstat(path("link"), null));
        assertTrue(followed.isRegularFile());
        assertEquals(5, followed.size());
        assertTrue(link.isSymbolicLink());
        assertFalse(link.isRegularFile());
        assertNotEquals(followed.ino(), link.ino());
    }

    @Test
    void statCarriesEveryFieldWithNanosecondTimes() throws Exception {
        Path file = Files.writeString(dir.resolve("s"), "hello");
        java.time.Instant mtime = java.time.Instant.parse("2001-02-03T04:05:06.123456789Z");
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.from(mtime));
        Stat stat = await(aio, aio.stat(file.toString(), null));
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        assertEquals(mtime, stat.mtime());
        assertEquals(5, stat.size());
        assertEquals(attributes.fileKey().toString(), "(dev=" + Long.toHexString(stat.dev()) + ",ino=" + stat.ino() + ")");
        assertEquals(Files.getAttribute(file, "unix:mode"), stat.mode());
        assertEquals(Files.getAttribute(file, "unix:nlink"), (int) stat.nlink());
        assertEquals(Files.getAttribute(file, "unix:uid"), (int) stat.uid());
        assertEquals(stat.mode() & 07777, stat.permissions());
        assertTrue(stat.blocks() >= 0 && stat.blksize() > 0);
    }

    @Test
    void unlinkRemovesAndThenReportsEnoent() throws Exception {
        Files.writeString(dir.resolve("gone"), "x");
        await(aio, aio.unlink(path("gone"), null));
        assertFalse(Files.exists(dir.resolve("gone")));
        assertEquals("ENOENT", failure(aio, aio.unlink(path("gone"), null)).errnoName());
    }

    @Test
    void directoryRequestsWork() throws Exception {
        await(aio, aio.mkdir(path("d"), 0755, null));
        assertEquals("EEXIST", failure(aio, aio.mkdir(path("d"), 0755, null)).errnoName());
        Files.writeString(dir.resolve("d/one"), "1");
        Files.writeString(dir.resolve("d/two"), "2");
        List<String> names = new ArrayList<>(await(aio, aio.readdir(path("d"), null)));
        names.sort(null);
        assertEquals(List.of("one", "two"), names);
        assertEquals("ENOTEMPTY", failure(aio, aio.rmdir(path("d"), null)).errnoName());
        await(aio, aio.rename(path("d/one"), path("d/uno"), null));
        assertTrue(Files.exists(dir.resolve("d/uno")));
        assertEquals("ENOTDIR", failure(aio, aio.readdir(path("d/uno"), null)).errnoName());
        assertEquals("ENOENT", failure(aio, aio.readdir(path("nowhere"), null)).errnoName());
    }

    @Test
    void readdirxGivesTypesAndInodesWithoutAStat() throws Exception {
        Files.createDirectories(dir.resolve("d/sub"));
        Files.writeString(dir.resolve("d/file"), "x");
        Files.createSymbolicLink(dir.resolve("d/link"), dir.resolve("d/sub"));
        List<DirEntry> entries = new ArrayList<>(await(aio, aio.readdirx(path("d"), 0, null)));
        entries.sort(java.util.Comparator.comparing(DirEntry::name));
        assertEquals(List.of("file", "link", "sub"), entries.stream().map(DirEntry::name).toList());
        assertEquals(List.of(DirEntry.Type.REGULAR_FILE, DirEntry.Type.SYMBOLIC_LINK, DirEntry.Type.DIRECTORY),
                entries.stream().map(DirEntry::type).toList(), "a link to a directory is a link");
        for (DirEntry entry : entries) {
            assertEquals(Files.readAttributes(dir.resolve("d").resolve(entry.name()), BasicFileAttributes.class,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS).fileKey().toString().replaceAll(".*ino=(\\d+).*", "$1"),
                    Long.toString(entry.inode()), entry.name());
        }
        assertEquals("ENOTDIR", failure(aio, aio.readdirx(path("d/file"), 0, null)).errnoName());
        assertThrows(IllegalArgumentException.class, () -> aio.readdirx(path("d"), 4, null));
        assertEquals(0, aio.nreqs());
    }

    @Test
    void readdirxOrdersDirectoriesFirstAndForStatSpeed() throws Exception {
        for (int i = 0; i < 20; i++) {
            Files.writeString(dir.resolve("f" + i), "x");
            Files.createDirectory(dir.resolve("d" + i));
        }
        List<DirEntry> dirsFirst = await(aio, aio.readdirx(path(""), DirEntry.DIRS_FIRST, null));
        assertEquals(40, dirsFirst.size());
        assertTrue(dirsFirst.subList(0, 20).stream().allMatch(DirEntry::isDirectory), dirsFirst.toString());
        assertTrue(dirsFirst.subList(20, 40).stream().noneMatch(DirEntry::isDirectory), dirsFirst.toString());
        assertSortedByInode(dirsFirst.subList(0, 20));
        assertSortedByInode(dirsFirst.subList(20, 40));
        assertSortedByInode(await(aio, aio.readdirx(path(""), DirEntry.STAT_ORDER, null)));
    }

    @Test
    void readdirxOfADirectoryLargerThanOneReadGivesEveryNameOnceAndNoDots() throws Exception {
        // 12,000 records of about 100 bytes fill more than four reads of the worker's 256 KiB buffer.
        Path big = Files.createDirectory(dir.resolve("big"));
        java.util.Set<String> made = new java.util.HashSet<>(List.of(".hidden", "..double", "..."));
        String padding = "n".repeat(70);
        for (int i = 0; i < 12_000; i++) {
            made.add(padding + i);
        }
        for (String name : made) {
            Files.createFile(big.resolve(name));
        }
        List<DirEntry> entries = await(aio, aio.readdirx(big.toString(), 0, null));
        assertEquals(made.size(), entries.size(), "no name twice, none missed, no . or ..");
        assertEquals(made, entries.stream().map(DirEntry::name).collect(java.util.stream.Collectors.toSet()));
        assertTrue(entries.stream().allMatch(e -> e.type() == DirEntry.Type.REGULAR_FILE));
        assertEquals(made.size(), await(aio, aio.readdir(big.toString(), null)).size());
    }

    private static void assertSortedByInode(List<DirEntry> entries) {
        for (int i = 1; i < entries.size(); i++) {
            assertTrue(entries.get(i - 1).inode() <= entries.get(i).inode(), entries.toString());
        }
    }

    @Test
    void readdirxOfAnOpenDirectoryReadsThatDirectoryEvenIfRenamed() throws Exception {
        Files.createDirectories(dir.resolve("here"));
        Files.writeString(dir.resolve("here/inside"), "x");
        AioFile opened = await(aio, aio.openat(null, path("here"), O_PATH | O_DIRECTORY, 0, 0, null));
        Files.move(dir.resolve("here"), dir.resolve("moved"));
        Files.createDirectories(dir.resolve("here"));
        List<DirEntry> entries = await(aio, aio.readdirx(opened, 0, null));
        assertEquals(List.of("inside"), entries.stream().map(DirEntry::name).toList());
        await(aio, aio.close(opened, null));
        assertThrows(IllegalStateException.class, () -> aio.readdirx(opened, 0, null));
    }

    @Test
    void realpathResolvesLinksAndDotDot() throws Exception {
        Files.createDirectories(dir.resolve("a/b"));
        Files.createSymbolicLink(dir.resolve("l"), dir.resolve("a/b"));
        String real = await(aio, aio.realpath(path("l") + "/../b/.", null));
        assertEquals(dir.toRealPath().resolve("a/b").toString(), real);
        assertEquals("ENOENT", failure(aio, aio.realpath(path("none/x"), null)).errnoName());
    }

    @Test
    void nonAsciiNamesRoundTrip() throws Exception {
        String name = "grüße-日本.txt";
        AioFile file = await(aio, aio.open(path(name), O_WRONLY | O_CREAT, 0644, null));
        await(aio, aio.close(file, null));
        assertTrue(Files.exists(dir.resolve(name)));
        assertEquals(List.of(name), await(aio, aio.readdir(dir.toString(), null)));
    }

    @Test
    void readaheadSucceedsOnAFile() throws Exception {
        Files.write(dir.resolve("ra"), new byte[100_000]);
        AioFile file = await(aio, aio.open(path("ra"), O_RDONLY, 0, null));
        await(aio, aio.readahead(file, 0, 100_000, null));
        await(aio, aio.close(file, null));
    }

    @Test
    void byteBufferFormsMoveThePositionWhenTheCallbackRuns() throws Exception {
        AioFile file = await(aio, aio.open(path("bb"), O_RDWR | O_CREAT, 0644, null));
        ByteBuffer src = ByteBuffer.allocateDirect(16);
        src.put("0123456789".getBytes(StandardCharsets.US_ASCII)).flip();
        src.position(2);
        assertEquals(8, await(aio, aio.write(file, 0, src, null)));
        assertEquals(10, src.position());

        ByteBuffer heap = ByteBuffer.allocate(20);
        heap.position(5);
        assertEquals(8, await(aio, aio.read(file, 0, heap, null)));
        assertEquals(13, heap.position());
        assertEquals("23456789", new String(heap.array(), 5, 8, StandardCharsets.US_ASCII));

        ByteBuffer direct = ByteBuffer.allocateDirect(4);
        assertEquals(4, await(aio, aio.read(file, 4, direct, null)));
        direct.flip();
        assertEquals("6789", StandardCharsets.US_ASCII.decode(direct).toString());

        ByteBuffer atPosition = ByteBuffer.allocateDirect(8);
        atPosition.put(0, (byte) '#').put(1, (byte) '#').position(2);
        assertEquals(6, await(aio, aio.read(file, 0, atPosition, null)));
        assertEquals(8, atPosition.position());
        atPosition.flip();
        assertEquals("##234567", StandardCharsets.US_ASCII.decode(atPosition).toString(),
                "a direct buffer is filled from its position, and the bytes before it are left alone");
        await(aio, aio.close(file, null));
    }
}
