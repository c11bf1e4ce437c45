package io.linuxaio;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;

/**
 * The blocking work of the requests that make or read names: readlink, symlink, link and mknod,
 * each also relative to a directory descriptor (the {@code *at} calls). Runs on a worker.
 */
final class LinkSyscalls {
    /** An empty path: with a descriptor, the call acts on that descriptor's own file. */
    static final byte[] EMPTY_PATH = {0};

    private LinkSyscalls() {}

    /** readlinkat(2) into the worker's bounce buffer, far larger than the longest link Linux stores. */
    static String readlink(Scratch scratch, int dirfd, byte[] path) {
        Memory bounce = scratch.bounce();
        long n = Posix.readlinkat(dirfd, path, Pointer.nativeValue(bounce), Scratch.BOUNCE_BYTES);
        if (n >= Scratch.BOUNCE_BYTES) {
            // The kernel cut the name at the buffer's end; a name cut short must not be handed out.
            throw new LastErrorException("[" + Errno.ENAMETOOLONG + "] link longer than " + Scratch.BOUNCE_BYTES + " bytes");
        }
        return FileNames.fromBytes(bounce.getByteArray(0, (int) n));
    }

    /**
     * mknodat(2), through syscall(2): glibc has exported {@code mknodat} only since 2.33, and a
     * symbol missing from an older glibc would fail the registration of every native method.
     */
    static void mknod(int dirfd, byte[] path, int mode, long dev) {
        if (Posix.SYS_MKNODAT < 0) {
            throw new LastErrorException("[" + Errno.ENOSYS + "] mknodat's number is not known on " + com.sun.jna.Platform.ARCH);
        }
        Posix.syscall(Posix.SYS_MKNODAT, dirfd, path, Integer.toUnsignedLong(mode), dev);
    }
}
