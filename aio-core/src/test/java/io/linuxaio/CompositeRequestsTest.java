package io.linuxaio;

import static io.linuxaio.Fcntl.O_CREAT;
import static io.linuxaio.Fcntl.O_WRONLY;
import static io.linuxaio.Polling.await;
import static io.linuxaio.Polling.failure;
import static io.linuxaio.Polling.until;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** copy, move, rmtree and scandir: IO::AIO's composite requests, built from groups. */
class CompositeRequestsTest extends EngineTestBase {
    private static final Instant ATIME = Instant.parse("2001-02-03T04:05:06.123456789Z");
    private static final Instant MTIME = Instant.parse("2002-03-04T05:06:07.987654321Z");

    private static byte[] random(int size) {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        return data;
    }

    /** A file with random contents, mode 0640 and set times. */
    private Path source(Path where, int size) throws Exception {
        Files.write(where, random(size));
        await(aio, aio.chmod(where.toString(), 0640, null));
        await(aio, aio.utime(where.toString(), ATIME, MTIME, null));
        return where;
    }

    private void assertCopied(Path from, Path to) throws Exception {
        Stat original = await(aio, aio.stat(from.toString(), null));
        Stat copy = await(aio, aio.stat(to.toString(), null)); // before reading it moves the access time
        assertArrayEquals(Files.readAllBytes(from), Files.readAllBytes(to));
        assertEquals(0640, copy.permissions());
        assertEquals(MTIME, copy.mtime(), "the modification time, to the nanosecond");
        assertEquals(ATIME, copy.atime(), "the access time as it was before the copy read the file");
        assertEquals(original.uid(), copy.uid());
        assertEquals(original.gid(), copy.gid());
    }

    // ---------------------------------------------------------------- copy

    @Test
    void copyPreservesContentsModeOwnerAndTimes() throws Exception {
        Path from = source(dir.resolve("from"), 3 * 1024 * 1024 + 17);
        assertNull(await(aio, aio.copy(from.toString(), path("to"), null)));
        assertCopied(from, dir.resolve("to"));
        until(aio, () -> aio.nreqs() == 0);
        assertEquals(0, OpenDescriptors.beneath(dir));
    }

    @Test
    void copyOfAnEmptyFileMakesAnEmptyFile() throws Exception {
        Path from = source(dir.resolve("empty"), 0);
        await(aio, aio.copy(from.toString(), path("to"), null));
        assertCopied(from, dir.resolve("to"));
    }

    @Test
    void copyReplacesTheContentsOfALongerTarget() throws Exception {
        Path from = source(dir.resolve("from"), 1000);
        Files.write(dir.resolve("to"), random(100_000));
        await(aio, aio.copy(from.toString(), path("to"), null));
        assertCopied(from, dir.resolve("to"));
    }

    @Test
    void copyOntoItselfFailsWithEinvalAndLeavesTheFileWhole() throws Exception {
        Path from = source(dir.resolve("from"), 5000);
        byte[] before = Files.readAllBytes(from);
        Files.createLink(dir.resolve("hardlink"), from);
        assertEquals("EINVAL", failure(aio, aio.copy(from.toString(), from.toString(), null)).errnoName());
        assertEquals("EINVAL", failure(aio, aio.copy(from.toString(), path("hardlink"), null)).errnoName());
        assertArrayEquals(before, Files.readAllBytes(from));
        until(aio, () -> aio.nreqs() == 0);
        assertEquals(0, OpenDescriptors.beneath(dir));
    }

    @Test
    void copyOfADirectoryFailsWithEisdirAndOfNothingWithEnoentAndMakesNothing() throws Exception {
        Files.createDirectory(dir.resolve("sub"));
        AioException directory = failure(aio, aio.copy(path("sub"), path("to"), null));
        assertEquals("EISDIR", directory.errnoName());
        assertEquals(path("sub"), directory.path());
        AioException missing = failure(aio, aio.copy(path("missing"), path("to"), null));
        assertEquals("ENOENT", missing.errnoName());
        assertFalse(Files.exists(dir.resolve("to")));
        until(aio, () -> aio.nreqs() == 0);
        assertEquals(0, OpenDescriptors.beneath(dir));
    }

    @Test
    void copyIntoAMissingDirectoryFailsWithEnoentAndClosesTheSource() throws Exception {
        Path from = source(dir.resolve("from"), 10);
        assertEquals("ENOENT", failure(aio, aio.copy(from.toString(), path("no/such/dir/to"), null)).errnoName());
        until(aio, () -> aio.nreqs() == 0);
        assertEquals(0, OpenDescriptors.beneath(dir));
    }

    /** Cancelled after each of its steps in turn, a copy never calls back and leaves no descriptor open. */
    @Test
    void copyCancelledAfterAnyStepClosesWhatItOpenedAndNeverCallsBack() throws Exception {
        Path from = source(dir.resolve("from"), 100_000);
        byte[] original = Files.readAllBytes(from);
        cancelAfterEachStep(12, 1, (steps, callback) -> aio.copy(from.toString(), path("to-" + steps), callback));
        assertArrayEquals(original, Files.readAllBytes(from));
    }

    /** What {@link #cancelAfterEachStep} starts: the composite request for a run of {@code steps} steps. */
    private interface Composite {
        AioRequest<Void> start(int steps, AioCallback<Void> callback) throws Exception;
    }

    /**
     * Starts a composite request again and again, letting it take 0, then {@code every}, then
     * 2 × {@code every} ... steps (one pollCb, one callback, each) before it is cancelled: it must
     * then never call back (or have done so once, if it finished first), and leave no descriptor open.
     */
    private void cancelAfterEachStep(int most, int every, Composite composite) throws Exception {
        aio.maxPollReqs(1);
        AtomicInteger ran = new AtomicInteger();
        for (int steps = 0; steps < most; steps += every) {
            AioRequest<Void> request = composite.start(steps, (v, e) -> ran.incrementAndGet());
            for (int i = 0; i < steps && !request.isDone(); i++) {
                aio.pollWait(Duration.ofSeconds(10));
                aio.pollCb();
            }
            boolean cancelled = request.cancel();
            until(aio, () -> aio.nreqs() == 0);
            assertEquals(cancelled ? 0 : 1, ran.getAndSet(0), "after " + steps + " steps");
            assertEquals(0, OpenDescriptors.beneath(dir), "after " + steps + " steps");
        }
    }

    @Test
    void anAdmittedCopyRunsToItsEndUnderMaxOutstandingAndThroughTheContextsClose() throws Exception {
        Path from = source(dir.resolve("from"), 500_000);
        aio.maxOutstanding(1);
        AioRequest<Void> copy = aio.copy(from.toString(), path("to"), null);
        Refused.refused(aio, java.util.concurrent.RejectedExecutionException.class, () -> aio.nop(null));
        await(aio, copy);
        assertCopied(from, dir.resolve("to"));

        await(aio, aio.utime(from.toString(), ATIME, MTIME, null)); // the first copy read it
        AioContext other = aio.newContext();
        AtomicInteger ran = new AtomicInteger();
        other.copy(from.toString(), path("again"), (v, e) -> {
            assertNull(e);
            ran.incrementAndGet();
        });
        other.close(); // drains: the copy's later steps are made while it closes
        assertEquals(1, ran.get());
        assertCopied(from, dir.resolve("again"));
        assertEquals(0, OpenDescriptors.beneath(dir));
    }

    // ---------------------------------------------------------------- move

    @Test
    void moveWithinAFileSystemRenames() throws Exception {
        Path from = source(dir.resolve("from"), 1000);
        Object inode = Files.getAttribute(from, "unix:ino");
        await(aio, aio.move(from.toString(), path("to"), null));
        assertFalse(Files.exists(from));
        assertEquals(inode, Files.getAttribute(dir.resolve("to"), "unix:ino"), "the same file, renamed");
    }

    @Test
    void moveAcrossFileSystemsCopiesThenUnlinksBothWays() throws Exception {
        Path shm = Path.of("/dev/shm");
        assumeTrue(Files.isDirectory(shm) && "tmpfs".equals(Files.getFileStore(shm).type()), "no tmpfs at /dev/shm");
        Path build = Files.createDirectories(Path.of(System.getProperty("user.dir"), "target"));
        Path there = Files.createTempDirectory(shm, "aio-move-");
        Path here = Files.createTempDirectory(build, "aio-move-");
        try {
            assumeTrue(!Files.getAttribute(there, "unix:dev").equals(Files.getAttribute(here, "unix:dev")),
                    "the build directory is on /dev/shm's file system");
            Path original = source(there.resolve("file"), 200_000);
            byte[] data = Files.readAllBytes(original);
            Path moved = here.resolve("file");
            await(aio, aio.move(original.toString(), moved.toString(), null));
            assertFalse(Files.exists(original), "the source is gone");
            assertArrayEquals(data, Files.readAllBytes(moved));
            Stat stat = await(aio, aio.stat(moved.toString(), null));
            assertEquals(0640, stat.permissions());
            assertEquals(MTIME, stat.mtime());

            Path back = there.resolve("back");
            await(aio, aio.move(moved.toString(), back.toString(), null));
            assertFalse(Files.exists(moved));
            assertArrayEquals(data, Files.readAllBytes(back));

            Files.createDirectory(here.resolve("sub"));
            assertEquals("EISDIR", failure(aio, aio.move(here.resolve("sub").toString(), there.resolve("sub").toString(),
                    null)).errnoName(), "only files move across file systems");
            assertTrue(Files.isDirectory(here.resolve("sub")));
        } finally {
            deleteTree(there);
            deleteTree(here);
        }
    }

    @Test
    void moveOfNothingFailsWithEnoent() {
        assertEquals("ENOENT", failure(aio, aio.move(path("missing"), path("to"), null)).errnoName());
    }

    // ---------------------------------------------------------------- rmtree

    @Test
    void rmtreeRemovesATreeAndNeverFollowsALinkOutOfIt() throws Exception {
        Path outside = Files.createDirectories(dir.resolve("outside/deep"));
        Files.writeString(dir.resolve("outside/keep"), "keep");
        Files.writeString(outside.resolve("keep-too"), "keep");
        Path tree = dir.resolve("tree");
        Files.createDirectories(tree.resolve("a/b/c"));
        Files.writeString(tree.resolve("a/b/c/file"), "x");
        Files.createSymbolicLink(tree.resolve("link-to-outside"), dir.resolve("outside"));
        Files.createSymbolicLink(tree.resolve("a/link-to-outside-file"), dir.resolve("outside/keep"));
        Files.createSymbolicLink(tree.resolve("a/b/dangling"), Path.of("/no/such/target"));
        Files.createSymbolicLink(tree.resolve("a/b/c/relative-up"), Path.of("../../../../outside/deep"));
        Path wide = Files.createDirectory(tree.resolve("wide"));
        for (int i = 0; i < 300; i++) {
            Files.writeString(wide.resolve("f" + i), "x");
        }
        String odd = FileNames.fromBytes(new byte[] {'n', (byte) 0xE9, (byte) 0xFF});
        await(aio, aio.mkdir(tree.resolve("a").toString() + "/" + odd, 0755, null));
        AioFile made = await(aio, aio.open(tree.resolve("a").toString() + "/" + odd + "/in", O_WRONLY | O_CREAT, 0644, null));
        await(aio, aio.close(made, null));
        Fifos.make(tree.resolve("a/fifo"));

        assertNull(await(aio, aio.rmtree(tree.toString(), null)));
        assertFalse(Files.exists(tree, LinkOption.NOFOLLOW_LINKS), "the tree is gone");
        assertEquals("keep", Files.readString(dir.resolve("outside/keep")), "what links named is untouched");
        assertEquals("keep", Files.readString(outside.resolve("keep-too")));
        until(aio, () -> aio.nreqs() == 0);
        assertEquals(0, OpenDescriptors.beneath(dir));
    }

    @Test
    void rmtreeOfALinkToADirectoryFailsWithEnotdirAndRemovesNothing() throws Exception {
        Path target = Files.createDirectory(dir.resolve("target"));
        Files.writeString(target.resolve("keep"), "keep");
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);
        assertEquals("ENOTDIR", failure(aio, aio.rmtree(link.toString(), null)).errnoName());
        assertTrue(Files.isSymbolicLink(link));
        assertEquals("keep", Files.readString(target.resolve("keep")));
        Files.writeString(dir.resolve("file"), "x");
        assertEquals("ENOTDIR", failure(aio, aio.rmtree(path("file"), null)).errnoName());
        assertEquals("ENOENT", failure(aio, aio.rmtree(path("missing"), null)).errnoName());
    }

    @Test
    void rmtreeOfADeepTreeKeepsOneDescriptorALevel() throws Exception {
        Path deepest = dir.resolve("deep");
        for (int i = 0; i < 60; i++) {
            deepest = deepest.resolve("d" + i);
        }
        Files.createDirectories(deepest);
        Files.writeString(deepest.resolve("file"), "x");
        await(aio, aio.rmtree(path("deep"), null));
        assertFalse(Files.exists(dir.resolve("deep")));
        until(aio, () -> aio.nreqs() == 0);
        assertEquals(0, OpenDescriptors.beneath(dir));
    }

    @Test
    void rmtreeCancelledAfterAnyStepClosesWhatItOpenedAndNeverCallsBack() throws Exception {
        cancelAfterEachStep(30, 3, (steps, callback) -> {
            Path tree = dir.resolve("tree-" + steps);
            Files.createDirectories(tree.resolve("a/b"));
            for (int i = 0; i < 10; i++) {
                Files.writeString(tree.resolve("a/f" + i), "x");
                Files.writeString(tree.resolve("a/b/g" + i), "x");
            }
            return aio.rmtree(tree.toString(), callback);
        });
    }

    // ---------------------------------------------------------------- scandir

    @Test
    void scandirSplitsDirectoriesFromEverythingElseWithNamesThatRoundTrip() throws Exception {
        Files.createDirectory(dir.resolve("d1"));
        String odd = FileNames.fromBytes(new byte[] {'d', (byte) 0xE9, (byte) 0xFF});
        await(aio, aio.mkdir(path(odd), 0755, null));
        Files.writeString(dir.resolve("file"), "x");
        Files.createSymbolicLink(dir.resolve("link-to-dir"), dir.resolve("d1"));
        Files.createSymbolicLink(dir.resolve("dangling"), Path.of("/no/such/target"));
        Fifos.make(dir.resolve("fifo"));
        DirectoryScan scan = await(aio, aio.scandir(dir.toString(), 0, null));
        assertEquals(Set.of("d1", odd), Set.copyOf(scan.dirs()));
        assertEquals(Set.of("file", "link-to-dir", "dangling", "fifo"), Set.copyOf(scan.nondirs()));
        assertTrue(await(aio, aio.stat(path(odd), null)).isDirectory(), "a name handed back names the same directory");
    }

    @Test
    void scandirLstatsOnlyTheNamesWhoseTypeTheDirectoryDidNotRecord() throws Exception {
        Files.createDirectory(dir.resolve("sub"));
        Files.writeString(dir.resolve("file"), "x");
        Files.createSymbolicLink(dir.resolve("link-to-dir"), dir.resolve("sub"));
        List<DirEntry> untyped = new ArrayList<>();
        for (DirEntry entry : await(aio, aio.readdirx(dir.toString(), 0, null))) {
            untyped.add(new DirEntry(entry.name(), DirEntry.Type.UNKNOWN, entry.inode()));
        }
        untyped.add(new DirEntry("known-dir", DirEntry.Type.DIRECTORY, 1)); // trusted without a stat
        untyped.add(new DirEntry("vanished", DirEntry.Type.UNKNOWN, 2));
        AioGroup<DirectoryScan> group = aio.group(null);
        ScanDirectory.split(aio, group, dir.toString(), untyped, 1);
        DirectoryScan scan = await(aio, group);
        assertEquals(Set.of("sub", "known-dir"), Set.copyOf(scan.dirs()));
        assertEquals(Set.of("file", "link-to-dir", "vanished"), Set.copyOf(scan.nondirs()));
    }

    @Test
    void scandirOfNothingFailsWithEnoentAndOfAFileWithEnotdir() throws Exception {
        assertEquals("ENOENT", failure(aio, aio.scandir(path("missing"), 0, null)).errnoName());
        Files.writeString(dir.resolve("file"), "x");
        assertEquals("ENOTDIR", failure(aio, aio.scandir(path("file"), 0, null)).errnoName());
    }

    @Test
    void compositesRefusedByAClosedContextLeaveNoTrace() {
        AioContext other = aio.newContext();
        other.close();
        Refused.refused(other, IllegalStateException.class, () -> other.copy(path("a"), path("b"), null));
        Refused.refused(other, IllegalStateException.class, () -> other.rmtree(path("a"), null));
        Refused.refused(aio, NullPointerException.class, () -> aio.move(null, path("b"), null));
        Refused.refused(aio, NullPointerException.class, () -> aio.scandir(null, 0, null));
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
