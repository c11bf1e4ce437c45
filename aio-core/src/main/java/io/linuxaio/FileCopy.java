package io.linuxaio;

/**
 * IO::AIO's {@code aio_copy} and {@code aio_move}, as groups of requests, step for step as its
 * Perl code does them. A copy is a chain: each step's callback adds the next to the group. Its
 * methods run on the polling thread, as callbacks of its steps; so do its fields' readers and
 * writers.
 *
 * <p>The descriptors it opens are closed by steps of the group as it goes, or, if the group is
 * cancelled midway (the callbacks that would have closed them then never run), by the group's
 * finisher.
 */
final class FileCopy {
    private final AioContext steps;
    private final Group<Void> group;
    private final String from;
    private final String to;
    private final byte[] cTo;
    private AioFile in;
    private AioFile out;
    private Stat source;

    private FileCopy(AioContext steps, Group<Void> group, String from, String to, byte[] cTo) {
        this.steps = steps;
        this.group = group;
        this.from = from;
        this.to = to;
        this.cTo = cTo;
    }

    /** Adds the first step of copying {@code from} to {@code to} to {@code group}, which is not queued yet. */
    static void copy(AioContext steps, Group<Void> group, String from, byte[] cFrom, String to, byte[] cTo) {
        FileCopy copy = new FileCopy(steps, group, from, to, cTo);
        group.whenFinished(copy::closeLeftovers);
        group.add(steps.internal("open", from, null,
                scratch -> Syscalls.openStat(scratch, cFrom, from, Fcntl.O_RDONLY, 0), copy::sourceOpened));
    }

    /** Adds the first step of moving {@code from} to {@code to}: a rename, and a copy and an unlink where it fails with EXDEV. */
    static void move(AioContext steps, Group<Void> group, String from, byte[] cFrom, String to, byte[] cTo) {
        group.add(steps.internal("rename", from, null, scratch -> {
            Posix.rename(cFrom, cTo);
            return null;
        }, (renamed, error) -> {
            if (error == null) {
                return;
            }
            if (error.errno() != Errno.EXDEV) {
                group.fail(error);
                return;
            }
            group.add(steps.copy(from, to, (copied, copyError) -> {
                if (copyError != null) {
                    group.fail(copyError);
                    return;
                }
                group.add(steps.unlink(from, (unlinked, unlinkError) -> {
                    if (unlinkError != null) {
                        group.fail(unlinkError);
                    }
                }));
            }));
        }));
    }

    private void sourceOpened(OpenedFile opened, AioException error) {
        if (error != null) {
            group.fail(error);
            return;
        }
        in = opened.file();
        source = opened.stat();
        if (source.isDirectory()) {
            group.fail(new AioException("copy", Errno.EISDIR, from, "a directory cannot be copied"));
            closeIn();
            return;
        }
        // Not O_TRUNC: a "to" that is "from" under another name must be found out before it is emptied.
        group.add(steps.internal("open", to, null,
                scratch -> Syscalls.openStat(scratch, cTo, to, Fcntl.O_WRONLY | Fcntl.O_CREAT, 0200), this::targetOpened));
    }

    private void targetOpened(OpenedFile opened, AioException error) {
        if (error != null) {
            group.fail(error);
            closeIn();
            return;
        }
        out = opened.file();
        Stat target = opened.stat();
        if (target.dev() == source.dev() && target.ino() == source.ino()) {
            group.fail(new AioException("copy", Errno.EINVAL, to, "the same file as " + from));
            closeIn();
            closeOut();
            return;
        }
        if (target.size() > 0) {
            group.add(steps.truncate(out, 0, this::truncated));
        } else {
            truncated(null, null);
        }
    }

    private void truncated(Void nothing, AioException error) {
        if (error != null) {
            failAndRemove(error);
            return;
        }
        group.add(steps.sendfile(out, in, 0, source.size(), this::sent));
    }

    private void sent(Long sent, AioException error) {
        if (error == null && sent != source.size()) {
            error = new AioException("copy", Errno.EIO, from, "the file changed size while it was copied");
        }
        if (error != null) {
            failAndRemove(error);
            return;
        }
        closeIn();
        group.add(steps.utime(out, source.atime(), source.mtime(), (timed, timeError) -> {
            failOn(timeError);
            // The owner before the mode: a chown clears the set-user-ID and set-group-ID bits.
            group.add(steps.chown(out, source.uid(), source.gid(), (owned, ownerError) -> {
                // Ignored, as IO::AIO does: only root may give a file away.
                group.add(steps.chmod(out, source.permissions(), (moded, modeError) -> {
                    failOn(modeError);
                    closeOut();
                }));
            }));
        }));
    }

    /** The copy is not what was asked for: report it, close both, remove the partial {@code to}. */
    private void failAndRemove(AioException error) {
        group.fail(error);
        closeIn();
        closeOut();
        group.add(steps.unlink(to, null));
    }

    private void failOn(AioException error) {
        if (error != null) {
            group.fail(error);
        }
    }

    private void closeIn() {
        group.add(steps.close(in, null));
    }

    private void closeOut() {
        group.add(steps.close(out, this::failOn));
    }

    private void failOn(Void nothing, AioException error) {
        failOn(error);
    }

    /** As the group finishes: a descriptor a cancelled step left open is closed, outside the group. */
    private void closeLeftovers() {
        if (in != null && !in.isClosed()) {
            steps.close(in, null);
        }
        if (out != null && !out.isClosed()) {
            steps.close(out, null);
        }
    }
}
