package io.linuxaio.examples;

import static io.linuxaio.examples.CheckReport.expect;
import static io.linuxaio.examples.Completions.await;
import static io.linuxaio.examples.Completions.failure;

import io.linuxaio.AioCallback;
import io.linuxaio.AioException;
import io.linuxaio.AioFile;
import io.linuxaio.AioRequest;
import io.linuxaio.DirEntry;
import io.linuxaio.Fcntl;
import io.linuxaio.LinuxAio;
import io.linuxaio.Resolve;
import io.linuxaio.Stat;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Runs the engine end to end on the machine it is started on, and says what it saw. It opens,
 * writes, reads back, stats, lstats a symbolic link, opens with the flags whose values differ
 * between CPUs and through openat2, reads the directory, watches {@code pollFileno()} with poll(2),
 * closes, unlinks, and closes an engine with requests still outstanding. The first line names the
 * CPU and the values of those flags in effect. Each check prints one
 * line, {@code ok <check> <what was seen>} or {@code FAIL <check>: <why>}, and a summary line
 * follows; the exit status is 0 only if every check passed.
 *
 * <pre>
 * java -jar engine-self-check.jar [DIR]          checks in a new directory under DIR (default: java.io.tmpdir),
 *                                                removed afterwards
 * java -jar engine-self-check.jar --enospc DIR   DIR is a small file system that may be filled: see DiskFullCheck
 * </pre>
 *
 * <p>Everything runs on the main thread, which submits every request and runs every callback
 * through {@code pollCb}. It is not an event loop, so it may block in {@code pollWait}, and in the
 * few java.nio calls that set up or confirm a check (making a symbolic link, reading a file back).
 */
public final class EngineSelfCheck {
    static final int ARRAY_PART = 512 * 1024;
    static final int DIRECT_PART = 512 * 1024 + 7; // not a multiple of a page, on purpose
    static final int OUTSTANDING_WRITES = 64;
    static final int OUTSTANDING_WRITE_BYTES = 4096;

    private final LinuxAio aio;
    private final Path dir;
    private final CheckReport report;
    private final Path data;
    private final Path link;
    private AioFile file;
    private Stat dataStat;

    private EngineSelfCheck(LinuxAio aio, Path dir, CheckReport report) {
        this.aio = aio;
        this.dir = dir;
        this.report = report;
        this.data = dir.resolve("data");
        this.link = dir.resolve("link");
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs what {@code args} ask for, reporting to {@code out} (usage errors to {@code err}); returns the exit status. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 2 && args[0].equals("--enospc")) {
            return DiskFullCheck.run(Path.of(args[1]), DiskFullCheck.DEFAULT_LIMIT, out);
        }
        if (args.length > 1 || args.length == 1 && args[0].startsWith("-")) {
            err.println("usage: engine-self-check [DIR] | --enospc DIR");
            return 2;
        }
        return run(Path.of(args.length == 1 ? args[0] : System.getProperty("java.io.tmpdir")), out);
    }

    /** All checks, in a new directory under {@code base} that is removed afterwards. */
    static int run(Path base, PrintStream out) {
        CheckReport report = new CheckReport(out);
        Path dir;
        try {
            dir = Files.createTempDirectory(base, "engine-self-check-");
        } catch (IOException | RuntimeException e) {
            report.fail("setup", "cannot make a directory under " + base + ": " + e);
            return report.finish();
        }
        try {
            LinuxAio aio = startEngine(report);
            if (aio != null) {
                try (aio) {
                    new EngineSelfCheck(aio, dir, report).runAll();
                }
                report.check("close-outstanding", () -> closeWithOutstanding(dir));
            }
        } finally {
            deleteTree(dir, report);
        }
        return report.finish();
    }

    /** The engine, or null after a FAIL line when it cannot even start (no JNA, no eventfd). */
    static LinuxAio startEngine(CheckReport report) {
        LinuxAio[] started = new LinuxAio[1];
        report.check("engine", () -> {
            started[0] = new LinuxAio();
            return "started: pollFileno " + started[0].pollFileno() + ", " + started[0].nthreads() + " worker(s); "
                    + cpuFlags();
        });
        return started[0];
    }

    private void runAll() {
        report.check("open", this::open);
        report.check("write", this::write);
        report.check("read", this::read);
        report.check("stat", this::stat);
        report.check("lstat", this::lstat);
        report.check("openat", this::openat);
        report.check("readdir", this::readdir);
        report.check("pollFileno", this::pollFileno);
        report.check("close", this::close);
        report.check("errors", this::errors);
        report.check("unlink", this::unlink);
    }

    private String open() throws Exception {
        file = await(aio, aio.open(data.toString(), Fcntl.O_RDWR | Fcntl.O_CREAT | Fcntl.O_EXCL, 0600, null));
        expect(file.fd() >= 0, "open gave fd " + file.fd());
        return data + " as fd " + file.fd();
    }

    private String write() throws Exception {
        AioFile f = needFile();
        byte[] first = Pattern.bytes(0, ARRAY_PART);
        int fromArray = await(aio, aio.write(f, 0, first.length, first, 0, null));
        expect(fromArray == ARRAY_PART, "array write wrote " + fromArray + " of " + ARRAY_PART + " bytes");

        ByteBuffer direct = ByteBuffer.allocateDirect(DIRECT_PART);
        direct.put(Pattern.bytes(ARRAY_PART, DIRECT_PART)).flip();
        int fromDirect = await(aio, aio.write(f, ARRAY_PART, direct, null));
        expect(fromDirect == DIRECT_PART, "direct write wrote " + fromDirect + " of " + DIRECT_PART + " bytes");
        expect(!direct.hasRemaining(), "the direct buffer's position did not move past the bytes written");
        return (fromArray + fromDirect) + " bytes (" + fromArray + " from an array, " + fromDirect + " from a direct buffer)";
    }

    private String read() throws Exception {
        AioFile f = needFile();
        int total = ARRAY_PART + DIRECT_PART;
        byte[] array = new byte[total];
        int intoArray = await(aio, aio.read(f, 0, total, array, 0, null));
        expect(intoArray == total, "array read gave " + intoArray + " of " + total + " bytes");
        expectPattern(array, 0, "array read");

        ByteBuffer direct = ByteBuffer.allocateDirect(total);
        int intoDirect = await(aio, aio.read(f, 0, direct, null));
        expect(intoDirect == total, "direct read gave " + intoDirect + " of " + total + " bytes");
        expect(direct.position() == total, "the direct buffer's position is " + direct.position() + ", not " + total);
        byte[] copy = new byte[total];
        direct.flip().get(copy);
        expectPattern(copy, 0, "direct read");

        int atEnd = await(aio, aio.read(f, total, 16, new byte[16], 0, null));
        expect(atEnd == 0, "a read at end of file gave " + atEnd + " bytes, not 0");
        return total + " bytes back byte-exact into an array and a direct buffer; 0 at end of file";
    }

    private String stat() throws Exception {
        AioFile f = needFile();
        int total = ARRAY_PART + DIRECT_PART;
        dataStat = await(aio, aio.stat(data.toString(), null));
        expect(dataStat.isRegularFile(), "not a regular file: mode 0" + Integer.toOctalString(dataStat.mode()));
        expect(dataStat.size() == total, "size " + dataStat.size() + ", expected " + total);
        expect(dataStat.permissions() == 0600, "permissions 0" + Integer.toOctalString(dataStat.permissions()) + ", expected 0600");
        Stat byFile = await(aio, aio.stat(f, null));
        expect(byFile.ino() == dataStat.ino() && byFile.dev() == dataStat.dev(),
                "fstat names inode " + byFile.ino() + ", stat names " + dataStat.ino());
        expect(byFile.size() == total, "fstat size " + byFile.size() + ", expected " + total);
        return "size " + total + ", regular file, mode 0600, inode " + dataStat.ino() + " (stat and fstat agree)";
    }

    private String lstat() throws Exception {
        expect(dataStat != null, "no stat of the data file to compare with (stat failed)");
        Files.createSymbolicLink(link, data.getFileName());
        Stat linkStat = await(aio, aio.lstat(link.toString(), null));
        expect(linkStat.isSymbolicLink(), "lstat did not see a symbolic link: mode 0" + Integer.toOctalString(linkStat.mode()));
        int target = data.getFileName().toString().length();
        expect(linkStat.size() == target, "the link's size is " + linkStat.size() + ", expected " + target + " (its target's name)");
        expect(linkStat.ino() != dataStat.ino(), "lstat followed the link to inode " + linkStat.ino());
        Stat through = await(aio, aio.stat(link.toString(), null));
        expect(through.ino() == dataStat.ino(), "stat through the link reached inode " + through.ino() + ", not " + dataStat.ino());
        return link.getFileName() + " -> " + data.getFileName() + " is a symbolic link (inode " + linkStat.ino()
                + "); stat through it reaches inode " + dataStat.ino();
    }

    /** The CPU as the JVM names it, and the open flags whose values depend on it, as the engine passes them. */
    static String cpuFlags() {
        return "os.arch " + System.getProperty("os.arch") + ": O_DIRECT " + octal(Fcntl.O_DIRECT)
                + ", O_LARGEFILE " + octal(Fcntl.O_LARGEFILE) + ", O_DIRECTORY " + octal(Fcntl.O_DIRECTORY)
                + ", O_NOFOLLOW " + octal(Fcntl.O_NOFOLLOW);
    }

    private static String octal(int value) {
        return "0" + Integer.toOctalString(value);
    }

    /**
     * The flags whose values differ between CPUs mean what they say to this kernel, and openat2
     * (called by its number, with a struct) resolves beneath a directory and no further.
     */
    private String openat() throws Exception {
        AioException notDir = failure(aio, aio.open(data.toString(), Fcntl.O_RDONLY | Fcntl.O_DIRECTORY, 0, null));
        expect(notDir.errnoName().equals("ENOTDIR"), "O_DIRECTORY on a file gave " + notDir.errnoName() + ", expected ENOTDIR");
        AioException loop = failure(aio, aio.open(link.toString(), Fcntl.O_RDONLY | Fcntl.O_NOFOLLOW, 0, null));
        expect(loop.errnoName().equals("ELOOP"), "O_NOFOLLOW on a link gave " + loop.errnoName() + ", expected ELOOP");
        String name = data.getFileName().toString();
        String out = "../" + dir.getFileName() + "/" + name;
        AioFile top = await(aio, aio.open(dir.toString(), Fcntl.O_PATH | Fcntl.O_DIRECTORY, 0, null));
        try {
            AioFile beneath = await(aio, aio.openat(top, name, Fcntl.O_RDONLY, 0, Resolve.RESOLVE_BENEATH, null));
            byte[] head = new byte[4096];
            int n;
            try {
                n = await(aio, aio.read(beneath, 0, head.length, head, 0, null));
            } finally {
                await(aio, aio.close(beneath, null));
            }
            expect(n == head.length, "read " + n + " of " + head.length + " bytes through the openat2 descriptor");
            expectPattern(head, 0, "the file opened by openat2");
            AioException escape = failure(aio, aio.openat(top, out, Fcntl.O_RDONLY, 0, Resolve.RESOLVE_BENEATH, null));
            expect(escape.errnoName().equals("EXDEV"), "openat2 beneath of " + out + " gave " + escape.errnoName() + ", expected EXDEV");
        } finally {
            await(aio, aio.close(top, null));
        }
        return "O_DIRECTORY refused a file (ENOTDIR), O_NOFOLLOW a link (ELOOP); openat2 beneath the directory opened "
                + name + " and refused " + out + " (EXDEV)";
    }

    /** readdir's entries carry the names, types and inodes the files have (glibc's struct dirent64, read in Java). */
    private String readdir() throws Exception {
        expect(dataStat != null, "no stat of the data file to compare with (stat failed)");
        List<DirEntry> entries = await(aio, aio.readdirx(dir.toString(), 0, null));
        DirEntry dataEntry = entry(entries, data);
        DirEntry linkEntry = entry(entries, link);
        expect(entries.size() == 2, "expected 2 entries, got " + entries);
        expect(dataEntry.inode() == dataStat.ino(), data.getFileName() + " listed with inode " + dataEntry.inode()
                + ", stat says " + dataStat.ino());
        expect(dataEntry.type() == DirEntry.Type.REGULAR_FILE || dataEntry.type() == DirEntry.Type.UNKNOWN,
                data.getFileName() + " listed as " + dataEntry.type());
        expect(linkEntry.type() == DirEntry.Type.SYMBOLIC_LINK || linkEntry.type() == DirEntry.Type.UNKNOWN,
                link.getFileName() + " listed as " + linkEntry.type());
        return entries.size() + " entries: " + data.getFileName() + " (" + dataEntry.type() + ", inode " + dataEntry.inode()
                + "), " + link.getFileName() + " (" + linkEntry.type() + ")";
    }

    private static DirEntry entry(List<DirEntry> entries, Path path) throws CheckReport.CheckFailed {
        String name = path.getFileName().toString();
        for (DirEntry entry : entries) {
            if (entry.name().equals(name)) {
                return entry;
            }
        }
        throw new CheckReport.CheckFailed(name + " is not listed: " + entries);
    }

    private String pollFileno() throws Exception {
        int fd = aio.pollFileno();
        expect(!PollFd.readable(fd, 0), "fd " + fd + " is readable while nothing is pending");
        Thread poller = Thread.currentThread();
        Thread[] ranOn = new Thread[1];
        AioRequest<Stat> request = aio.stat(data.toString(), (st, error) -> ranOn[0] = Thread.currentThread());
        // Wait the way an event loop does: in poll(2) on the engine's fd, not in the engine.
        expect(PollFd.readable(fd, (int) Completions.LIMIT.toMillis()),
                "fd " + fd + " did not become readable within " + Completions.LIMIT.toSeconds() + " s of a stat");
        int pending = aio.npending();
        expect(pending == 1, "fd " + fd + " readable with " + pending + " results pending, expected 1");
        expect(PollFd.readable(fd, 0), "fd " + fd + " stopped being readable before pollCb");
        int ran = aio.pollCb();
        expect(ran == 1 && request.isDone(), "pollCb ran " + ran + " callbacks, expected the stat's");
        expect(ranOn[0] == poller, "the callback ran on " + ranOn[0] + ", not on the polling thread " + poller);
        expect(!PollFd.readable(fd, 0), "fd " + fd + " still readable after pollCb took every result");
        return "fd " + fd + ": poll(2) woke when the stat finished, the callback ran in pollCb on the polling"
                + " thread, and the fd was quiet again after";
    }

    private String close() throws Exception {
        AioFile f = needFile();
        AioRequest<Void> closing = aio.close(f, null);
        try {
            aio.read(f, 0, 1, new byte[1], 0, null);
            throw new CheckReport.CheckFailed("a read on the closed file was accepted");
        } catch (IllegalStateException expected) {
            // Refused in the caller, before anything reached a worker.
        }
        await(aio, closing);
        return "fd " + f.fd() + " closed; a later read was refused in the caller";
    }

    private String errors() throws Exception {
        String missing = dir.resolve("missing").toString();
        AioException e = failure(aio, aio.open(missing, Fcntl.O_RDONLY, 0, null));
        expect(e.errnoName().equals("ENOENT") && e.errno() == 2, "expected ENOENT (2), got " + e.errnoName() + " (" + e.errno() + ")");
        expect(missing.equals(e.path()), "the error names path " + e.path() + ", not " + missing);
        try {
            aio.read(null, -1, 1, new byte[1], 0, null);
            throw new CheckReport.CheckFailed("a read with a null file and a negative offset was accepted");
        } catch (NullPointerException | IllegalArgumentException expected) {
            // Bad arguments throw in the caller.
        }
        return "a missing file reached the callback as " + e.getMessage() + "; bad arguments threw in the caller";
    }

    private String unlink() throws Exception {
        await(aio, aio.unlink(link.toString(), null));
        await(aio, aio.unlink(data.toString(), null));
        AioException gone = failure(aio, aio.stat(data.toString(), null));
        expect(gone.errnoName().equals("ENOENT"), "stat after unlink gave " + gone.errnoName() + ", expected ENOENT");
        AioException linkGone = failure(aio, aio.lstat(link.toString(), null));
        expect(linkGone.errnoName().equals("ENOENT"), "lstat of the unlinked link gave " + linkGone.errnoName());
        return "data and link removed; stat and lstat now give ENOENT";
    }

    /**
     * A fresh engine gets writes, an fsync and a close submitted and never polled, then is closed:
     * close must run every callback and lose no write.
     */
    private static String closeWithOutstanding(Path dir) throws Exception {
        Path target = dir.resolve("outstanding");
        AtomicInteger callbacks = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        AtomicInteger shortWrites = new AtomicInteger();
        int submitted;
        int outstandingAtClose;
        LinuxAio engine = new LinuxAio();
        try {
            AioFile f = await(engine, engine.open(target.toString(), Fcntl.O_WRONLY | Fcntl.O_CREAT | Fcntl.O_EXCL, 0600, null));
            AioCallback<Object> tally = (result, error) -> {
                callbacks.incrementAndGet();
                if (error != null) {
                    failures.incrementAndGet();
                } else if (result instanceof Integer n && n != OUTSTANDING_WRITE_BYTES) {
                    shortWrites.incrementAndGet();
                }
            };
            for (int i = 0; i < OUTSTANDING_WRITES; i++) {
                long offset = (long) i * OUTSTANDING_WRITE_BYTES;
                byte[] block = Pattern.bytes(offset, OUTSTANDING_WRITE_BYTES);
                engine.write(f, offset, block.length, block, 0, tally);
            }
            engine.fsync(f, tally);
            engine.close(f, tally);
            submitted = OUTSTANDING_WRITES + 2;
            outstandingAtClose = engine.nreqs();
            expect(callbacks.get() == 0, callbacks.get() + " callbacks ran before close, with no pollCb");
        } finally {
            engine.close();
        }
        expect(outstandingAtClose == submitted, outstandingAtClose + " requests outstanding at close, expected " + submitted);
        expect(callbacks.get() == submitted, "close ran " + callbacks.get() + " of " + submitted + " callbacks");
        expect(failures.get() == 0, failures.get() + " requests failed");
        expect(shortWrites.get() == 0, shortWrites.get() + " writes were short");
        expect(engine.nreqs() == 0, engine.nreqs() + " requests still counted after close");
        try {
            engine.stat(target.toString(), null);
            throw new CheckReport.CheckFailed("the closed engine accepted a request");
        } catch (IllegalStateException expected) {
            // A closed engine refuses in the caller.
        }
        byte[] onDisk = Files.readAllBytes(target);
        int expected = OUTSTANDING_WRITES * OUTSTANDING_WRITE_BYTES;
        expect(onDisk.length == expected, onDisk.length + " bytes on disk, expected " + expected);
        expectPattern(onDisk, 0, "the file written before close");
        Files.delete(target);
        return "close with " + submitted + " requests outstanding ran all " + submitted + " callbacks; "
                + expected + " bytes on disk byte-exact; a later request was refused";
    }

    private AioFile needFile() throws CheckReport.CheckFailed {
        expect(file != null, "no open file (open failed)");
        return file;
    }

    static void expectPattern(byte[] bytes, long fileOffset, String what) throws CheckReport.CheckFailed {
        int at = Arrays.mismatch(bytes, Pattern.bytes(fileOffset, bytes.length));
        expect(at < 0, what + ": byte " + (fileOffset + at) + " differs from what was written");
    }

    static void deleteTree(Path dir, CheckReport report) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(path);
            }
        } catch (IOException | RuntimeException e) {
            report.fail("cleanup", "cannot remove " + dir + ": " + e);
        }
    }
}
