package io.linuxaio;

import java.util.ArrayList;
import java.util.List;

/**
 * IO::AIO's {@code aio_rmtree} as groups of requests, made safe against symbolic links: every
 * directory is opened with {@code O_NOFOLLOW} relative to its parent's descriptor, and every name
 * in it removed with {@code unlinkat} relative to its own, so nothing outside the tree is ever
 * reached, whatever links it holds or whatever is renamed meanwhile.
 *
 * <p>One directory at a time: its other names are unlinked (four at once), then its
 * subdirectories are removed one after another, each the same way, then it is closed and removed
 * from its parent. So at most one descriptor is open per level of the tree, and memory holds the
 * listings of the directories on the way down, not the tree. Its methods run on the polling
 * thread, as callbacks of its steps.
 */
final class RemoveTree {
    private static final int UNLINKS_AT_ONCE = 4;

    /** A directory opened beneath its parent and the entries it held: what one step delivers. */
    record Listing(AioFile dir, List<DirEntry> entries) {}

    private final AioContext steps;
    private final Group<Void> whole;
    private boolean failed;

    private RemoveTree(AioContext steps, Group<Void> whole) {
        this.steps = steps;
        this.whole = whole;
    }

    /** Adds the first step of removing {@code path} to {@code group}, which is not queued yet. */
    static void start(AioContext steps, Group<Void> group, String path, byte[] cPath) {
        new Directory(new RemoveTree(steps, group), null, path, cPath, path).start(group);
    }

    /** On a worker: opens {@code name} beneath {@code dirfd} without following a link, and lists it. */
    static Listing openAndList(Scratch scratch, int dirfd, byte[] name, String path) {
        int fd = Posix.openat(dirfd, name, Fcntl.O_RDONLY | Fcntl.O_DIRECTORY | Fcntl.O_NOFOLLOW | Fcntl.O_CLOEXEC, 0);
        try {
            AioFile dir = Syscalls.adopt(scratch, fd, path, Fcntl.O_RDONLY | Fcntl.O_DIRECTORY);
            return new Listing(dir, Syscalls.readdirx(scratch, dir, DirEntry.STAT_ORDER));
        } catch (RuntimeException | Error e) { // LastErrorException among them
            Syscalls.closeQuietly(fd);
            throw e;
        }
    }

    /** The first error is the one reported; the rest of the tree is still removed, as far as it can be. */
    private void note(AioException error) {
        if (error != null && !failed) {
            failed = true;
            whole.fail(error);
        }
    }

    /** One directory of the tree, from its opening to its removal. */
    private static final class Directory {
        private final RemoveTree tree;
        /** The parent directory, or null for the root (its name is then its path). */
        private final AioFile parent;
        private final String name;
        private final byte[] cName;
        private final String path;
        private Group<Void> group;
        private AioFile dir;
        private final List<String> files = new ArrayList<>();
        private final List<String> subdirs = new ArrayList<>();
        private int nextFile;
        private int nextSubdir;

        Directory(RemoveTree tree, AioFile parent, String name, byte[] cName, String path) {
            this.tree = tree;
            this.parent = parent;
            this.name = name;
            this.cName = cName;
            this.path = path;
        }

        /** Opens and lists the directory as the first member of {@code group}, which removes it. */
        void start(Group<Void> group) {
            this.group = group;
            group.whenFinished(this::closeLeftover);
            int dirfd = parent == null ? Posix.AT_FDCWD : parent.fd();
            group.add(tree.steps.internal("openat", path, parent, scratch -> openAndList(scratch, dirfd, cName, path),
                    this::listed));
        }

        private void listed(Listing listing, AioException error) {
            if (error != null) {
                if (parent != null && (error.errno() == Errno.ENOTDIR || error.errno() == Errno.ELOOP)) {
                    // Listed as a directory, and a link or a file by now: remove that, not what it names.
                    group.add(tree.steps.unlinkat(parent, name, 0, this::noted));
                } else {
                    tree.note(error);
                }
                return;
            }
            dir = listing.dir();
            for (DirEntry entry : listing.entries()) {
                (entry.isDirectory() ? subdirs : files).add(entry.name());
            }
            AioGroup<Void> unlinks = tree.steps.group(this::filesRemoved);
            group.add(unlinks);
            unlinks.limit(UNLINKS_AT_ONCE);
            unlinks.feed(this::nextUnlink);
        }

        private AioRequest<?> nextUnlink() {
            if (nextFile == files.size()) {
                return null;
            }
            String file = files.get(nextFile++);
            return tree.steps.unlinkat(dir, file, 0, (removed, error) -> {
                if (error != null && error.errno() == Errno.EISDIR) {
                    subdirs.add(file); // a directory whose type the file system did not record
                } else {
                    tree.note(error);
                }
            });
        }

        private void filesRemoved(Void nothing, AioException error) {
            AioGroup<Void> removals = tree.steps.group(this::subdirsRemoved);
            group.add(removals);
            removals.limit(1);
            removals.feed(this::nextSubdir);
        }

        private AioRequest<?> nextSubdir() {
            if (nextSubdir == subdirs.size()) {
                return null;
            }
            String sub = subdirs.get(nextSubdir++);
            String subPath = path.endsWith("/") ? path + sub : path + "/" + sub;
            Group<Void> subGroup = (Group<Void>) tree.steps.<Void>group(null);
            new Directory(tree, dir, sub, NativePath.encode(sub), subPath).start(subGroup);
            return subGroup;
        }

        private void subdirsRemoved(Void nothing, AioException error) {
            AioFile open = dir;
            dir = null;
            group.add(tree.steps.close(open, this::noted));
            group.add(tree.steps.unlinkat(parent, parent == null ? path : name, Posix.AT_REMOVEDIR, this::noted));
        }

        private void noted(Void nothing, AioException error) {
            tree.note(error);
        }

        /** As the group finishes: the descriptor a cancelled step left open is closed, outside the group. */
        private void closeLeftover() {
            if (dir != null && !dir.isClosed()) {
                tree.steps.close(dir, null);
            }
        }
    }
}
