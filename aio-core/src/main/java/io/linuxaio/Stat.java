package io.linuxaio;

import java.time.Instant;

/**
 * What {@code stat}, {@code lstat} and {@code fstat} know about a file: every field of
 * {@code statx(2)}'s basic set, 64 bits wide, with times to the nanosecond.
 *
 * @param dev     the device holding the file
 * @param ino     the inode number
 * @param mode    file type and permission bits, as in {@code st_mode}
 * @param nlink   the number of hard links
 * @param uid     owner user id
 * @param gid     owner group id
 * @param rdev    the device this file is, for device files
 * @param size    size in bytes
 * @param blksize preferred I/O block size
 * @param blocks  512-byte blocks allocated
 * @param atime   last access
 * @param mtime   last modification of the contents
 * @param ctime   last change of the inode
 */
public record Stat(long dev, long ino, int mode, long nlink, long uid, long gid, long rdev,
                   long size, long blksize, long blocks, Instant atime, Instant mtime, Instant ctime) {

    static final int S_IFMT = 0170000, S_IFREG = 0100000, S_IFDIR = 0040000, S_IFLNK = 0120000;

    public boolean isRegularFile() {
        return (mode & S_IFMT) == S_IFREG;
    }

    public boolean isDirectory() {
        return (mode & S_IFMT) == S_IFDIR;
    }

    public boolean isSymbolicLink() {
        return (mode & S_IFMT) == S_IFLNK;
    }

    /** The permission bits alone, such as {@code 0644}. */
    public int permissions() {
        return mode & 07777;
    }
}
