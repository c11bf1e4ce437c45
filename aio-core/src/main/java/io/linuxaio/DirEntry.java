package io.linuxaio;

/**
 * One name in a directory, as {@link AioContext#readdirx} reads it: what IO::AIO's
 * {@code aio_readdirx} with {@code READDIR_DENTS} gives as {@code [name, type, inode]}.
 *
 * @param name the name, losslessly decoded (see {@link FileNames}): hand it back and it names the
 *             same file
 * @param type the file's type as the directory records it, without a stat; {@link Type#UNKNOWN}
 *             where the file system does not say (stat the entry to learn it)
 * @param inode the inode number
 */
public record DirEntry(String name, Type type, long inode) {
    /**
     * {@code readdirx} flag, IO::AIO's {@code READDIR_STAT_ORDER}: entries in the order that makes
     * stat'ing each one fastest (by inode number), rather than the directory's own order.
     */
    public static final int STAT_ORDER = 1;
    /**
     * {@code readdirx} flag, IO::AIO's {@code READDIR_DIRS_FIRST}: directories first, then entries
     * whose type the file system did not record, then the rest, each part in {@link #STAT_ORDER}.
     */
    public static final int DIRS_FIRST = 2;
    /** Every flag; bits beyond these are refused in the caller. */
    static final int ALL_FLAGS = STAT_ORDER | DIRS_FIRST;

    /** The {@code d_type} of {@code readdir(3)}, by its {@code DT_*} name. */
    public enum Type {
        UNKNOWN, FIFO, CHARACTER_DEVICE, DIRECTORY, BLOCK_DEVICE, REGULAR_FILE, SYMBOLIC_LINK, SOCKET, WHITEOUT;

        /** The type of a {@code d_type} value ({@code DT_DIR} is 4, ...); UNKNOWN for any other. */
        static Type of(int dType) {
            return switch (dType) {
                case 1 -> FIFO;
                case 2 -> CHARACTER_DEVICE;
                case 4 -> DIRECTORY;
                case 6 -> BLOCK_DEVICE;
                case 8 -> REGULAR_FILE;
                case 10 -> SYMBOLIC_LINK;
                case 12 -> SOCKET;
                case 14 -> WHITEOUT;
                default -> UNKNOWN;
            };
        }
    }

    /** Whether the directory records this entry as a directory (a link to one is a {@link Type#SYMBOLIC_LINK}). */
    public boolean isDirectory() {
        return type == Type.DIRECTORY;
    }
}
