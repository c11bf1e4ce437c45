package io.linuxaio;

import java.util.Comparator;
import java.util.List;

/** The orders {@link AioContext#readdirx} can return a directory's entries in, as IO::AIO's {@code READDIR_*} flags. */
final class DirectoryOrder {
    private static final Comparator<DirEntry> BY_INODE = Comparator.comparingLong(DirEntry::inode);
    /** Directories, then entries of unknown type (maybe directories), then the rest; each part by inode. */
    private static final Comparator<DirEntry> DIRS_FIRST =
            Comparator.comparingInt(DirectoryOrder::rank).thenComparing(BY_INODE);

    private DirectoryOrder() {}

    static List<DirEntry> sort(List<DirEntry> entries, int flags) {
        if ((flags & DirEntry.DIRS_FIRST) != 0) {
            entries.sort(DIRS_FIRST);
        } else if ((flags & DirEntry.STAT_ORDER) != 0) {
            entries.sort(BY_INODE);
        }
        return entries;
    }

    private static int rank(DirEntry entry) {
        return switch (entry.type()) {
            case DIRECTORY -> 0;
            case UNKNOWN -> 1;
            default -> 2;
        };
    }
}
