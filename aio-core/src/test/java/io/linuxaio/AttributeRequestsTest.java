package io.linuxaio;

import static io.linuxaio.AioContext.AT_SYMLINK_NOFOLLOW;
import static io.linuxaio.AioContext.UTIME_NOW;
import static io.linuxaio.AioContext.UTIME_OMIT;
import static io.linuxaio.Fcntl.*;
import static io.linuxaio.Polling.await;
import static io.linuxaio.Polling.failure;
import static io.linuxaio.Refused.refused;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** truncate, chmod, chown, utime and statvfs: a file's size, permissions, owner and times, and its file system's room. */
class AttributeRequestsTest extends EngineTestBase {
    private static final Instant OLD = Instant.parse("2001-02-03T04:05:06.123456789Z");
    private static final Instant OLDER = Instant.parse("1999-12-31T23:59:59.987654321Z");

    private Stat lstat(String name) throws AioException {
        return await(aio, aio.lstat(path(name), null));
    }

    // ---------------------------------------------------------------- truncate

    @Test
    void truncateCutsAndExtendsAPathOrAnOpenFile() throws Exception {
        Files.writeString(dir.resolve("f"), "0123456789");
        await(aio, aio.truncate(path("f"), 4, null));
        assertEquals("0123", Files.readString(dir.resolve("f")));
        await(aio, aio.truncate(path("f"), 6, null));
        assertArrayEquals(new byte[] {'0', '1', '2', '3', 0, 0}, Files.readAllBytes(dir.resolve("f")), "extended with zeros");
        AioFile file = await(aio, aio.open(path("f"), O_RDWR, 0, null));
        await(aio, aio.truncate(file, 3L << 32, null));
        assertEquals(3L << 32, Files.size(dir.resolve("f")), "a size past 4 GiB");
        await(aio, aio.truncate(file, 1, null));
        assertEquals("0", Files.readString(dir.resolve("f")));
        await(aio, aio.close(file, null));
    }

    @Test
    void truncateFailuresReachTheCallback() throws Exception {
        AioException missing = failure(aio, aio.truncate(path("missing"), 0, null));
        assertEquals("ENOENT", missing.errnoName());
        assertEquals("truncate", missing.call());
        assertEquals(path("missing"), missing.path());
        assertEquals("EISDIR", failure(aio, aio.truncate(dir.toString(), 0, null)).errnoName());
        Files.writeString(dir.resolve("ro"), "x");
        AioFile readOnly = await(aio, aio.open(path("ro"), O_RDONLY, 0, null));
        AioException notWritable = failure(aio, aio.truncate(readOnly, 0, null));
        assertEquals("EINVAL", notWritable.errnoName(), "ftruncate of a descriptor not open for writing");
        assertEquals("ftruncate", notWritable.call());
        await(aio, aio.close(readOnly, null));
        refused(aio, IllegalStateException.class, () -> aio.truncate(readOnly, 0, null));
        refused(aio, IllegalArgumentException.class, () -> aio.truncate(path("ro"), -1, null));
    }

    // ---------------------------------------------------------------- chmod

    @Test
    void chmodSetsPermissionsOnAPathAnOpenFileAndBelowADirectory() throws Exception {
        Files.writeString(dir.resolve("f"), "x");
        await(aio, aio.chmod(path("f"), 0604, null));
        assertEquals(0604, lstat("f").permissions());
        AioFile file = await(aio, aio.open(path("f"), O_RDONLY, 0, null));
        await(aio, aio.chmod(file, 04710, null));
        assertEquals(04710, lstat("f").permissions(), "set-user-id too");
        await(aio, aio.close(file, null));
        AioFile d = await(aio, aio.open(dir.toString(), O_PATH | O_DIRECTORY, 0, null));
        await(aio, aio.chmodat(d, "f", 0600, null));
        assertEquals(0600, lstat("f").permissions());
        AioException missing = failure(aio, aio.chmodat(d, "none", 0600, null));
        assertEquals("ENOENT", missing.errnoName());
        assertEquals(path("none"), missing.path());
        await(aio, aio.close(d, null));
        refused(aio, IllegalStateException.class, () -> aio.chmodat(d, "f", 0600, null));
        refused(aio, IllegalArgumentException.class, () -> aio.chmod(path("f"), 010000, null));
        refused(aio, IllegalArgumentException.class, () -> aio.chmod(path("f"), -1, null));
        assertEquals("ENOENT", failure(aio, aio.chmod(path("none"), 0600, null)).errnoName());
    }

    // ---------------------------------------------------------------- chown

    @Test
    void chownChangesTheOwnerWithPrivilegeAndFailsWithEpermWithout() throws Exception {
        Files.writeString(dir.resolve("f"), "x");
        Stat before = lstat("f");
        await(aio, aio.chown(path("f"), -1, -1, null));
        assertEquals(before.uid(), lstat("f").uid(), "-1 leaves both as they are");
        await(aio, aio.chown(path("f"), before.uid(), before.gid(), null)); // to oneself: always allowed
        AioFile file = await(aio, aio.open(path("f"), O_RDONLY, 0, null));
        AioRequest<Void> toOther = aio.chown(file, 4321, -1, null);
        if (Capabilities.has(Capabilities.CAP_CHOWN)) {
            await(aio, toOther);
            assertEquals(4321, lstat("f").uid());
            assertEquals(before.gid(), lstat("f").gid(), "the group was left");
            await(aio, aio.chown(path("f"), -1, 4322, null));
            assertEquals(4322, lstat("f").gid());
        } else {
            AioException e = failure(aio, toOther);
            assertEquals("EPERM", e.errnoName());
            assertEquals("fchown", e.call());
            assertEquals(before.uid(), lstat("f").uid());
        }
        await(aio, aio.close(file, null));
        refused(aio, IllegalStateException.class, () -> aio.chown(file, -1, -1, null));
        refused(aio, IllegalArgumentException.class, () -> aio.chown(path("f"), -2, 0, null));
        refused(aio, IllegalArgumentException.class, () -> aio.chown(path("f"), 0, 1L << 32, null));
    }

    @Test
    void chownatWithNofollowChangesTheLinkNotItsTarget() throws Exception {
        Files.writeString(dir.resolve("target"), "x");
        Files.createSymbolicLink(dir.resolve("link"), Path.of("target"));
        AioFile d = await(aio, aio.open(dir.toString(), O_PATH | O_DIRECTORY, 0, null));
        AioRequest<Void> chown = aio.chownat(d, "link", 4321, 4321, AT_SYMLINK_NOFOLLOW, null);
        if (Capabilities.has(Capabilities.CAP_CHOWN)) {
            await(aio, chown);
            assertEquals(4321, lstat("link").uid());
            assertNotEquals(4321, lstat("target").uid());
        } else {
            assertEquals("EPERM", failure(aio, chown).errnoName());
        }
        assertEquals("ENOENT", failure(aio, aio.chownat(d, "none", -1, -1, 0, null)).errnoName());
        refused(aio, IllegalArgumentException.class, () -> aio.chownat(d, "link", -1, -1, 0x400, null));
        await(aio, aio.close(d, null));
    }

    // ---------------------------------------------------------------- utime

    @Test
    void utimeSetsBothTimesToTheNanosecond() throws Exception {
        Files.writeString(dir.resolve("f"), "x");
        await(aio, aio.utime(path("f"), OLDER, OLD, null));
        Stat stat = lstat("f");
        assertEquals(OLDER, stat.atime());
        assertEquals(OLD, stat.mtime());
        Instant negative = Instant.parse("1960-06-01T00:00:00.5Z");
        await(aio, aio.utime(path("f"), negative, negative, null));
        assertEquals(negative, lstat("f").mtime(), "a time before 1970");
    }

    @Test
    void utimeNowAndOmitSetOneTimeAndLeaveTheOther() throws Exception {
        Files.writeString(dir.resolve("f"), "x");
        await(aio, aio.utime(path("f"), OLDER, OLD, null));
        Instant before = Instant.now();
        await(aio, aio.utime(path("f"), UTIME_OMIT, UTIME_NOW, null));
        Instant after = Instant.now();
        Stat stat = lstat("f");
        assertEquals(OLDER, stat.atime(), "UTIME_OMIT left the access time");
        // The kernel's clock for file times is coarse (a tick behind at most): allow a second.
        assertTrue(!stat.mtime().isBefore(before.minus(Duration.ofSeconds(1))) && !stat.mtime().isAfter(after.plusSeconds(1)),
                before + " <= " + stat.mtime() + " <= " + after);
        AioFile file = await(aio, aio.open(path("f"), O_RDONLY, 0, null));
        await(aio, aio.utime(file, OLD, UTIME_OMIT, null));
        assertEquals(OLD, lstat("f").atime(), "futimens");
        assertEquals(stat.mtime(), lstat("f").mtime());
        await(aio, aio.close(file, null));
        refused(aio, IllegalStateException.class, () -> aio.utime(file, OLD, OLD, null));
    }

    @Test
    void utimeatWithNofollowSetsTheLinksOwnTimes() throws Exception {
        Files.writeString(dir.resolve("target"), "x");
        Files.createSymbolicLink(dir.resolve("link"), Path.of("target"));
        AioFile d = await(aio, aio.open(dir.toString(), O_PATH | O_DIRECTORY, 0, null));
        Instant targetTime = lstat("target").mtime();
        await(aio, aio.utimeat(d, "link", OLD, OLD, AT_SYMLINK_NOFOLLOW, null));
        assertEquals(OLD, lstat("link").mtime());
        assertEquals(targetTime, lstat("target").mtime());
        await(aio, aio.utimeat(d, "link", OLDER, OLDER, 0, null));
        assertEquals(OLDER, lstat("target").mtime(), "followed to the target");
        AioException missing = failure(aio, aio.utimeat(d, "none", OLD, OLD, 0, null));
        assertEquals("ENOENT", missing.errnoName());
        assertEquals("utimensat", missing.call());
        assertEquals(path("none"), missing.path());
        refused(aio, IllegalArgumentException.class, () -> aio.utimeat(d, "link", OLD, OLD, 1, null));
        await(aio, aio.close(d, null));
        refused(aio, NullPointerException.class, () -> aio.utime(path("target"), null, OLD, null));
        refused(aio, NullPointerException.class, () -> aio.utime(path("target"), OLD, null, null));
    }

    // ---------------------------------------------------------------- statvfs

    @Test
    @Tag(HostKernelViews.TAG) // the JDK finds the file store in /proc/mounts, which a chroot does not match
    void statvfsReportsTheFileSystemAsTheJdkSeesIt() throws Exception {
        FileStore store = Files.getFileStore(dir);
        StatVfs vfs = await(aio, aio.statvfs(dir.toString(), null));
        assertEquals(store.getTotalSpace(), vfs.blocks() * vfs.frsize(), vfs.toString());
        assertTrue(vfs.bsize() > 0 && vfs.frsize() > 0, vfs.toString());
        assertTrue(vfs.bfree() <= vfs.blocks() && vfs.bavail() <= vfs.bfree(), vfs.toString());
        assertTrue(vfs.ffree() <= vfs.files() && vfs.favail() <= vfs.ffree(), vfs.toString());
        assertEquals(255, vfs.namemax(), "every Linux file system a test dir lands on allows 255-byte names");
        assertEquals(store.isReadOnly(), vfs.isReadOnly());

        Files.writeString(dir.resolve("f"), "x");
        AioFile file = await(aio, aio.open(path("f"), O_PATH, 0, null));
        StatVfs ofFile = await(aio, aio.statvfs(file, null));
        assertEquals(vfs.fsid(), ofFile.fsid(), "the same file system, by an O_PATH descriptor");
        assertEquals(vfs.blocks(), ofFile.blocks());
        await(aio, aio.close(file, null));
        refused(aio, IllegalStateException.class, () -> aio.statvfs(file, null));
    }

    @Test
    void statvfsFlagsAreTheMountsOptionsAndAMissingPathFails() throws Exception {
        StatVfs proc = await(aio, aio.statvfs("/proc", null));
        assertNotEquals(await(aio, aio.statvfs(dir.toString(), null)).fsid(), proc.fsid(), "another file system");
        List<String> options = mountOptions("/proc");
        String[] names = {"ro", "nosuid", "nodev", "noexec", "noatime", "nodiratime", "relatime"};
        int[] bits = {StatVfs.ST_RDONLY, StatVfs.ST_NOSUID, StatVfs.ST_NODEV, StatVfs.ST_NOEXEC, StatVfs.ST_NOATIME,
                StatVfs.ST_NODIRATIME, StatVfs.ST_RELATIME};
        for (int i = 0; i < names.length; i++) {
            assertEquals(options.contains(names[i]), (proc.flag() & bits[i]) != 0, names[i] + " in " + options + ": " + proc);
        }
        assertEquals(options.contains("ro"), proc.isReadOnly());
        AioException missing = failure(aio, aio.statvfs(path("missing"), null));
        assertEquals("ENOENT", missing.errnoName());
        assertEquals("statvfs", missing.call());
        assertEquals(path("missing"), missing.path());
    }

    /** The per-mount options of the mount at {@code mountPoint}, from /proc/self/mountinfo (the last one mounted there). */
    private static List<String> mountOptions(String mountPoint) throws Exception {
        List<String> options = null;
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] fields = line.split(" ");
            if (fields[4].equals(mountPoint)) {
                options = List.of(fields[5].split(","));
            }
        }
        assertNotNull(options, "no mount at " + mountPoint);
        return options;
    }
}
