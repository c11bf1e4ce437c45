package io.linuxaio;

/**
 * What the engine must know of the file system a file lives on, told by its magic number
 * ({@code statfs}): whether its stat and close may run on the submitting thread, and whether its
 * close may join a pollCb's io_uring batch.
 */
enum FileSystemKind {
    /** A network file system, a FUSE daemon, or one not known: they may answer as slowly as they like. */
    REMOTE,
    /**
     * Local, with a flush method a close runs (overlayfs, f2fs), or one not known to lack it:
     * io_uring would hand such a close to its own threads, so it is closed with close(2).
     */
    LOCAL,
    /** Local, with no flush on close: ext2/3/4, xfs, btrfs, tmpfs, ramfs. */
    LOCAL_NO_FLUSH;

    /** Whether it keeps its data on this machine (see {@link Inline}). */
    boolean local() {
        return this != REMOTE;
    }

    /** The kind of a file system with this {@code f_type}, from linux/magic.h. */
    static FileSystemKind of(long fType) {
        return switch ((int) fType) {
            case 0xEF53, // ext2, ext3, ext4
                    0x58465342, // xfs
                    0x9123683E, // btrfs
                    0x01021994, // tmpfs
                    0x858458F6 // ramfs
                    -> LOCAL_NO_FLUSH;
            case 0xF2F52010, // f2fs
                    0x794C7630, // overlayfs
                    0x2FC12FC1, // zfs
                    0xCA451A4E, // bcachefs
                    0xE0F5E1E2, // erofs
                    0x73717368, // squashfs
                    0x3153464A, // jfs
                    0x52654973 // reiserfs
                    -> LOCAL;
            default -> REMOTE;
        };
    }
}
