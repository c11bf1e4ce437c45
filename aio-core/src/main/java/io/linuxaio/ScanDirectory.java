package io.linuxaio;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * IO::AIO's {@code aio_scandir} as a group of requests: one {@code readdirx}, whose entry types
 * split the names, and an {@code lstat} only of names whose type the file system did not record
 * ({@code DT_UNKNOWN}), at most {@code maxreq} at once. IO::AIO's heuristics for file systems
 * without types (link counts, stat'ing {@code name/.}) are not needed where every name is typed,
 * and an lstat is exact where one is not. Runs on the polling thread, as callbacks of its steps.
 */
final class ScanDirectory {
    private ScanDirectory() {}

    /** Adds the first step of scanning {@code path} to {@code group}, which is not queued yet. */
    static void start(AioContext steps, Group<DirectoryScan> group, String path, int maxreq) {
        group.add(steps.readdirx(path, DirEntry.DIRS_FIRST, (entries, error) -> {
            if (error != null) {
                group.fail(error);
                return;
            }
            split(steps, group, path, entries, maxreq);
        }));
    }

    /** Splits the entries by type, lstat'ing those of unknown type; the group's result is the split. */
    static void split(AioContext steps, AioGroup<DirectoryScan> group, String path, List<DirEntry> entries, int maxreq) {
        List<String> dirs = new ArrayList<>();
        List<String> nondirs = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        for (DirEntry entry : entries) {
            switch (entry.type()) {
                case DIRECTORY -> dirs.add(entry.name());
                case UNKNOWN -> unknown.add(entry.name());
                default -> nondirs.add(entry.name());
            }
        }
        if (unknown.isEmpty()) {
            group.result(new DirectoryScan(dirs, nondirs));
            return;
        }
        AioGroup<Void> stats = steps.group((nothing, error) -> group.result(new DirectoryScan(dirs, nondirs)));
        group.add(stats);
        Iterator<String> next = unknown.iterator();
        stats.limit(maxreq);
        stats.feed(() -> {
            if (!next.hasNext()) {
                return null;
            }
            String name = next.next();
            String full = path.endsWith("/") ? path + name : path + "/" + name;
            // A name gone meanwhile (or one that cannot be stat'ed) is no directory to descend into.
            return steps.lstat(full, (stat, error) -> (error == null && stat.isDirectory() ? dirs : nondirs).add(name));
        });
    }
}
