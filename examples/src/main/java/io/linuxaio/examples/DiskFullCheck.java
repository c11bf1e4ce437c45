package io.linuxaio.examples;

import static io.linuxaio.examples.CheckReport.expect;
import static io.linuxaio.examples.Completions.await;

import io.linuxaio.AioException;
import io.linuxaio.AioFile;
import io.linuxaio.Fcntl;
import io.linuxaio.LinuxAio;
import io.linuxaio.Stat;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The engine on a full disk: fills a small file system with writes until one fails, expects that
 * failure to reach its callback as ENOSPC, then checks that the engine goes on working: the bytes
 * accepted read back byte-exact, stat sees them, and once the file is unlinked a new write fits.
 * Run by {@code engine-self-check --enospc DIR}, with DIR on a small file system of its own (a
 * 1 MiB tmpfs in the container test); it writes at most {@link #DEFAULT_LIMIT} bytes and fails if
 * none of them is refused. Same output and thread rules as {@link EngineSelfCheck}.
 */
final class DiskFullCheck {
    static final long DEFAULT_LIMIT = 64L * 1024 * 1024;
    static final int CHUNK = 256 * 1024;
    static final int AFTER_UNLINK = 64 * 1024;

    private final LinuxAio aio;
    private final Path fill;
    private final Path again;
    private final CheckReport report;
    private long accepted = -1;

    private DiskFullCheck(LinuxAio aio, Path dir, CheckReport report) {
        this.aio = aio;
        this.fill = dir.resolve("fill");
        this.again = dir.resolve("again");
        this.report = report;
    }

    /** Fills {@code dir}, writing at most {@code limit} bytes; returns the exit status. */
    static int run(Path dir, long limit, PrintStream out) {
        CheckReport report = new CheckReport(out);
        if (!Files.isDirectory(dir)) {
            report.fail("setup", dir + " is not a directory");
            return report.finish();
        }
        LinuxAio aio = EngineSelfCheck.startEngine(report);
        if (aio != null) {
            DiskFullCheck check = new DiskFullCheck(aio, dir, report);
            try (aio) {
                check.runAll(limit);
            } finally {
                check.removeFiles();
            }
        }
        return report.finish();
    }

    private void runAll(long limit) {
        if (report.check("enospc", () -> fill(limit))) {
            report.check("read-after-enospc", this::readBack);
            report.check("stat-after-enospc", this::stat);
            report.check("write-after-unlink", this::writeAfterUnlink);
        }
    }

    private String fill(long limit) throws Exception {
        AioFile file = await(aio, aio.open(fill.toString(), Fcntl.O_WRONLY | Fcntl.O_CREAT | Fcntl.O_TRUNC, 0600, null));
        try {
            long offset = 0;
            while (offset < limit) {
                byte[] chunk = Pattern.bytes(offset, CHUNK);
                int written;
                try {
                    written = await(aio, aio.write(file, offset, chunk.length, chunk, 0, null));
                } catch (AioException e) {
                    expect(e.errnoName().equals("ENOSPC"), "the write at offset " + offset + " failed with "
                            + e.errnoName() + ", expected ENOSPC: " + e.getMessage());
                    expect(fill.toString().equals(e.path()), "the error names " + e.path() + ", not " + fill);
                    accepted = offset;
                    return "the write at offset " + offset + " reached its callback as " + e.getMessage()
                            + ", after " + offset + " bytes were accepted";
                }
                expect(written > 0, "a write at offset " + offset + " wrote nothing and reported no error");
                // A write cut short by the full disk counts what went out; the next one meets ENOSPC.
                offset += written;
            }
            throw new CheckReport.CheckFailed("no ENOSPC after writing " + offset + " bytes to " + fill
                    + ": is " + fill.getParent() + " a small file system of its own?");
        } finally {
            await(aio, aio.close(file, null));
        }
    }

    private String readBack() throws Exception {
        AioFile file = await(aio, aio.open(fill.toString(), Fcntl.O_RDONLY, 0, null));
        try {
            long offset = 0;
            while (offset < accepted) {
                byte[] chunk = new byte[(int) Math.min(CHUNK, accepted - offset)];
                int n = await(aio, aio.read(file, offset, chunk.length, chunk, 0, null));
                expect(n == chunk.length, "read at offset " + offset + " gave " + n + " of " + chunk.length + " bytes");
                EngineSelfCheck.expectPattern(chunk, offset, "the filled file");
                offset += n;
            }
        } finally {
            await(aio, aio.close(file, null));
        }
        return accepted + " bytes accepted before ENOSPC read back byte-exact";
    }

    private String stat() throws Exception {
        Stat stat = await(aio, aio.stat(fill.toString(), null));
        expect(stat.size() == accepted, "size " + stat.size() + ", expected the " + accepted + " bytes accepted");
        return "size " + stat.size() + ", as accepted";
    }

    private String writeAfterUnlink() throws Exception {
        await(aio, aio.unlink(fill.toString(), null));
        AioFile file = await(aio, aio.open(again.toString(), Fcntl.O_WRONLY | Fcntl.O_CREAT | Fcntl.O_TRUNC, 0600, null));
        int written;
        try {
            byte[] bytes = Pattern.bytes(0, AFTER_UNLINK);
            written = await(aio, aio.write(file, 0, bytes.length, bytes, 0, null));
        } finally {
            await(aio, aio.close(file, null));
        }
        expect(written == AFTER_UNLINK, "wrote " + written + " of " + AFTER_UNLINK + " bytes after freeing the space");
        await(aio, aio.unlink(again.toString(), null));
        return "unlinking the full file freed the space: " + written + " bytes written to " + again;
    }

    /** Leaves the file system as it was found, even after a failed check. */
    private void removeFiles() {
        for (Path path : new Path[] {fill, again}) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                report.fail("cleanup", "cannot remove " + path + ": " + e);
            }
        }
    }
}
