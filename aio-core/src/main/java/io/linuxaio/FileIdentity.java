package io.linuxaio;

/**
 * Which file an open descriptor reads: its device and inode number, as stat(2) reports them. On a
 * file system whose inodes are its files ({@link FileSystemKind#LOCAL_NO_FLUSH}), two descriptors
 * with the same identity read the same page cache, and an inode held open (or mapped) keeps its
 * number: it is not reused while anyone holds it.
 */
record FileIdentity(long dev, long ino) {
    static FileIdentity of(Stat stat) {
        return new FileIdentity(stat.dev(), stat.ino());
    }
}
