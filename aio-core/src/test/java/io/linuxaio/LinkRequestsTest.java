package io.linuxaio;

import static io.linuxaio.Fcntl.*;
import static io.linuxaio.Polling.await;
import static io.linuxaio.Polling.failure;
import static io.linuxaio.Refused.refused;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** readlink, symlink, link and mknod: the requests that make or read names. */
class LinkRequestsTest extends EngineTestBase {
    /** O_TMPFILE of {@code <fcntl.h>}: __O_TMPFILE with O_DIRECTORY. */
    private static final int O_TMPFILE = 020000000 | O_DIRECTORY;

    private AioFile openDir() throws AioException {
        return await(aio, aio.open(dir.toString(), O_PATH | O_DIRECTORY, 0, null));
    }

    // ---------------------------------------------------------------- symlink, readlink

    @Test
    void symlinkStoresItsTargetUnresolvedAndReadlinkGivesItBack() throws Exception {
        await(aio, aio.symlink("no/such/target", path("link"), null));
        assertEquals(Path.of("no/such/target"), Files.readSymbolicLink(dir.resolve("link")));
        assertEquals("no/such/target", await(aio, aio.readlink(path("link"), null)));
        AioException exists = failure(aio, aio.symlink("other", path("link"), null));
        assertEquals("EEXIST", exists.errnoName());
        assertEquals("symlink", exists.call());
        assertEquals(path("link"), exists.path(), "a symlink's failure names the link, the one path it resolves");
    }

    @Test
    void aTargetThatIsNotUtf8RoundTripsThroughReadlinkAndOpensTheSameFile() throws Exception {
        byte[] raw = {'c', 'a', 'f', (byte) 0xE9, '-', (byte) 0xFF}; // Latin-1 "café-" and a stray byte
        String name = FileNames.fromBytes(raw);
        AioFile file = await(aio, aio.open(path(name), O_WRONLY | O_CREAT, 0644, null));
        await(aio, aio.write(file, 0, 5, "bytes".getBytes(StandardCharsets.US_ASCII), 0, null));
        await(aio, aio.close(file, null));
        await(aio, aio.symlink(name, path("link"), null));

        String target = await(aio, aio.readlink(path("link"), null));
        assertEquals(name, target);
        assertArrayEquals(raw, FileNames.toBytes(target), "the very bytes the link holds");
        assertEquals("bytes", new String(await(aio, aio.slurp(path(target), 100, null)), StandardCharsets.US_ASCII),
                "handed back, the name opens the file it named");
    }

    @Test
    void readlinkOfWhatIsNoLinkFailsWithEinvalAndOfNothingWithEnoent() throws Exception {
        Files.writeString(dir.resolve("plain"), "x");
        AioException notALink = failure(aio, aio.readlink(path("plain"), null));
        assertEquals("EINVAL", notALink.errnoName());
        assertEquals("readlink", notALink.call());
        assertEquals(path("plain"), notALink.path());
        assertEquals("ENOENT", failure(aio, aio.readlink(path("missing"), null)).errnoName());
    }

    @Test
    void readlinkOfAnOpenLinkReadsThatLink() throws Exception {
        Files.createSymbolicLink(dir.resolve("link"), Path.of("target-of-link"));
        AioFile link = await(aio, aio.open(path("link"), O_PATH | O_NOFOLLOW, 0, null));
        Files.delete(dir.resolve("link"));
        assertEquals("target-of-link", await(aio, aio.readlink(link, null)), "the link opened, though its name is gone");
        await(aio, aio.close(link, null));
        refused(aio, IllegalStateException.class, () -> aio.readlink(link, null));

        Files.writeString(dir.resolve("plain"), "x");
        AioFile plain = await(aio, aio.open(path("plain"), O_PATH, 0, null));
        assertEquals("ENOENT", failure(aio, aio.readlink(plain, null)).errnoName());
        await(aio, aio.close(plain, null));
    }

    @Test
    void symlinkatAndReadlinkatWorkBelowADirectory() throws Exception {
        AioFile d = openDir();
        await(aio, aio.symlinkat("../up", d, "rel", null));
        assertEquals(Path.of("../up"), Files.readSymbolicLink(dir.resolve("rel")));
        assertEquals("../up", await(aio, aio.readlinkat(d, "rel", null)));
        AioException missing = failure(aio, aio.readlinkat(d, "none", null));
        assertEquals("ENOENT", missing.errnoName());
        assertEquals(path("none"), missing.path(), "the directory's path joined with the name");
        assertEquals("../up", await(aio, aio.readlinkat(null, path("rel"), null)), "a null directory: as readlink");
        await(aio, aio.close(d, null));
        refused(aio, IllegalStateException.class, () -> aio.readlinkat(d, "rel", null));
        refused(aio, IllegalStateException.class, () -> aio.symlinkat("x", d, "y", null));
    }

    // ---------------------------------------------------------------- link

    @Test
    void linkGivesAFileASecondName() throws Exception {
        Files.writeString(dir.resolve("first"), "shared");
        await(aio, aio.link(path("first"), path("second"), null));
        assertEquals("shared", Files.readString(dir.resolve("second")));
        Stat first = await(aio, aio.stat(path("first"), null));
        assertEquals(2, first.nlink());
        assertEquals(first.ino(), await(aio, aio.stat(path("second"), null)).ino());
        assertEquals("EEXIST", failure(aio, aio.link(path("first"), path("second"), null)).errnoName());
        AioException missing = failure(aio, aio.link(path("none"), path("third"), null));
        assertEquals("ENOENT", missing.errnoName());
        assertEquals(path("none"), missing.path());
    }

    @Test
    void linkatLinksALinkItselfUnlessToldToFollowIt() throws Exception {
        Files.writeString(dir.resolve("target"), "t");
        Files.createSymbolicLink(dir.resolve("sym"), Path.of("target"));
        AioFile d = openDir();
        await(aio, aio.linkat(d, "sym", "same-link", 0, null));
        await(aio, aio.linkat(d, "sym", "followed", AioContext.AT_SYMLINK_FOLLOW, null));
        assertTrue(Files.isSymbolicLink(dir.resolve("same-link")));
        assertFalse(Files.isSymbolicLink(dir.resolve("followed")));
        assertEquals(Files.getAttribute(dir.resolve("target"), "unix:ino"),
                Files.getAttribute(dir.resolve("followed"), "unix:ino", LinkOption.NOFOLLOW_LINKS));
        refused(aio, IllegalArgumentException.class, () -> aio.linkat(d, "sym", "x", AioContext.AT_SYMLINK_NOFOLLOW, null));
        await(aio, aio.close(d, null));
        refused(aio, IllegalStateException.class, () -> aio.linkat(d, "sym", "x", 0, null));
    }

    @Test
    void linkOfAnOpenTmpfileGivesItAName() throws Exception {
        AioFile anonymous = await(aio, aio.open(dir.toString(), O_TMPFILE | O_WRONLY, 0600, null));
        await(aio, aio.write(anonymous, 0, 4, "anon".getBytes(StandardCharsets.US_ASCII), 0, null));
        assertEquals(List.of(), await(aio, aio.readdir(dir.toString(), null)), "no name yet");
        await(aio, aio.link(anonymous, path("named"), null));
        assertEquals("anon", Files.readString(dir.resolve("named")));
        assertEquals("EEXIST", failure(aio, aio.link(anonymous, path("named"), null)).errnoName());
        await(aio, aio.close(anonymous, null));
        refused(aio, IllegalStateException.class, () -> aio.link(anonymous, path("again"), null));
    }

    // ---------------------------------------------------------------- rename with flags

    @Test
    void renameNoreplaceRefusesAnExistingNameAndExchangeSwapsTwo() throws Exception {
        Files.writeString(dir.resolve("a"), "A");
        Files.writeString(dir.resolve("b"), "B");
        AioException exists = failure(aio, aio.rename(path("a"), path("b"), AioContext.RENAME_NOREPLACE, null));
        assertEquals("EEXIST", exists.errnoName());
        assertEquals("renameat2", exists.call());
        assertEquals(path("a"), exists.path());
        assertEquals("B", Files.readString(dir.resolve("b")), "nothing replaced");
        await(aio, aio.rename(path("a"), path("b"), AioContext.RENAME_EXCHANGE, null));
        assertEquals("B", Files.readString(dir.resolve("a")));
        assertEquals("A", Files.readString(dir.resolve("b")));
        await(aio, aio.rename(path("a"), path("c"), AioContext.RENAME_NOREPLACE, null));
        assertEquals("B", Files.readString(dir.resolve("c")));
        assertEquals("ENOENT", failure(aio, aio.rename(path("a"), path("b"), AioContext.RENAME_EXCHANGE, null)).errnoName(),
                "EXCHANGE needs both names");
        await(aio, aio.rename(path("c"), path("b"), 0, null));
        assertEquals("B", Files.readString(dir.resolve("b")), "flags 0: a plain rename, replacing");
    }

    @Test
    void renameatWorksBelowADirectoryAndRefusesUnknownFlags() throws Exception {
        Files.writeString(dir.resolve("a"), "A");
        AioFile d = openDir();
        await(aio, aio.renameat(d, "a", "moved", AioContext.RENAME_NOREPLACE, null));
        assertEquals("A", Files.readString(dir.resolve("moved")));
        AioException missing = failure(aio, aio.renameat(d, "a", "x", 0, null));
        assertEquals("ENOENT", missing.errnoName());
        assertEquals(path("a"), missing.path());
        refused(aio, IllegalArgumentException.class, () -> aio.renameat(d, "moved", "x", 8, null));
        refused(aio, IllegalArgumentException.class, () -> aio.rename(path("moved"), path("x"), -1, null));
        await(aio, aio.close(d, null));
        refused(aio, IllegalStateException.class, () -> aio.renameat(d, "moved", "x", 0, null));
    }

    // ---------------------------------------------------------------- mknod

    @Test
    void mknodMakesAFifo() throws Exception {
        await(aio, aio.mknod(path("fifo"), S_IFIFO | 0640, 0, null));
        Stat stat = await(aio, aio.lstat(path("fifo"), null));
        assertEquals(S_IFIFO, stat.mode() & S_IFMT);
        assertEquals(0640 & ~umask(), stat.permissions());
        AioException exists = failure(aio, aio.mknod(path("fifo"), S_IFIFO | 0600, 0, null));
        assertEquals("EEXIST", exists.errnoName());
        assertEquals("mknod", exists.call());
        assertEquals(path("fifo"), exists.path());
        await(aio, aio.mknod(path("plain"), 0600, 0, null));
        assertTrue(Files.isRegularFile(dir.resolve("plain")), "type 0 is a regular file");
    }

    @Test
    void mknodatMakesAFifoBelowADirectory() throws Exception {
        AioFile d = openDir();
        await(aio, aio.mknodat(d, "fifo", S_IFIFO | 0600, 0, null));
        assertEquals(S_IFIFO, await(aio, aio.lstat(path("fifo"), null)).mode() & S_IFMT);
        assertEquals("ENOENT", failure(aio, aio.mknodat(d, "no/dir/fifo", S_IFIFO | 0600, 0, null)).errnoName());
        await(aio, aio.close(d, null));
        refused(aio, IllegalStateException.class, () -> aio.mknodat(d, "other", S_IFIFO | 0600, 0, null));
    }

    @Test
    void aDeviceNodeIsMadeWithCapMknodAndRefusedWithEpermWithout() throws Exception {
        long devNull = await(aio, aio.stat("/dev/null", null)).rdev();
        assertEquals(1, AioContext.major(devNull));
        assertEquals(3, AioContext.minor(devNull));
        assertEquals(devNull, AioContext.makedev(1, 3));
        AioRequest<Void> mknod = aio.mknod(path("null"), S_IFCHR | 0666, devNull, null);
        if (Capabilities.has(Capabilities.CAP_MKNOD)) {
            await(aio, mknod);
            Stat stat = await(aio, aio.lstat(path("null"), null));
            assertEquals(S_IFCHR, stat.mode() & S_IFMT);
            assertEquals(devNull, stat.rdev());
        } else {
            AioException e = failure(aio, mknod);
            assertEquals("EPERM", e.errnoName());
            assertEquals(path("null"), e.path());
            assertFalse(Files.exists(dir.resolve("null"), LinkOption.NOFOLLOW_LINKS));
        }
    }

    @Test
    void deviceNumbersRoundTripThroughMakedev() {
        int[][] pairs = {{0, 0}, {8, 1}, {259, 65_536}, {0xfff, 0xff}, {0x1000, 0x100}, {-1, -1}};
        for (int[] pair : pairs) {
            long dev = AioContext.makedev(pair[0], pair[1]);
            assertEquals(pair[0], AioContext.major(dev), Long.toHexString(dev));
            assertEquals(pair[1], AioContext.minor(dev), Long.toHexString(dev));
        }
    }

    @Test
    void mknodRefusesTypesItCannotMakeInTheCaller() {
        refused(aio, IllegalArgumentException.class, () -> aio.mknod(path("d"), S_IFDIR | 0755, 0, null));
        refused(aio, IllegalArgumentException.class, () -> aio.mknod(path("l"), S_IFLNK | 0777, 0, null));
        refused(aio, IllegalArgumentException.class, () -> aio.mknod(path("f"), S_IFIFO | 0600 | 0200000000, 0, null));
        refused(aio, IllegalArgumentException.class, () -> aio.mknodat(null, path("d"), 0170000 | 0600, 0, null));
        refused(aio, NullPointerException.class, () -> aio.mknod(null, S_IFIFO | 0600, 0, null));
    }

    @Test
    void namesWithNulAreRefusedInTheCaller() {
        refused(aio, IllegalArgumentException.class, () -> aio.symlink("a\0b", path("l"), null));
        refused(aio, IllegalArgumentException.class, () -> aio.symlink("t", path("l\0"), null));
        refused(aio, IllegalArgumentException.class, () -> aio.link(path("a"), "b\0", null));
        refused(aio, IllegalArgumentException.class, () -> aio.readlink("x\0y", null));
        refused(aio, NullPointerException.class, () -> aio.readlink((String) null, null));
        refused(aio, NullPointerException.class, () -> aio.readlink((AioFile) null, null));
    }

    /** The process's umask, read from /proc without changing it. */
    private static int umask() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Umask:")) {
                return Integer.parseInt(line.substring(6).trim(), 8);
            }
        }
        throw new AssertionError("no Umask in /proc/self/status");
    }
}
