package io.linuxaio;

/**
 * Path resolution limits for {@link AioContext#openat}, the {@code RESOLVE_*} flags of
 * {@code openat2(2)}, with their Linux values. Combine them with {@code |}; 0 resolves as
 * {@code openat(2)} does.
 *
 * <p>The kernel enforces them during the lookup itself, so no file outside the limit is ever
 * opened, even when a symbolic link is swapped in while the path is being resolved. A path the
 * limit refuses fails with {@code EXDEV} ({@code ELOOP} for a refused symbolic link or magic
 * link, {@code EAGAIN} for {@link #RESOLVE_CACHED} when the lookup would block).
 */
public final class Resolve {
    private Resolve() {}

    /** Refuse to cross a mount point (bind mounts included). */
    public static final int RESOLVE_NO_XDEV = 0x01;
    /** Refuse magic links such as {@code /proc/self/fd/N} and {@code /proc/PID/root}. */
    public static final int RESOLVE_NO_MAGICLINKS = 0x02;
    /** Refuse every symbolic link, magic links included. */
    public static final int RESOLVE_NO_SYMLINKS = 0x04;
    /**
     * Refuse anything that would leave the directory the path is relative to: {@code ..} above it,
     * an absolute path, an absolute symbolic link, or a relative one that leads out.
     */
    public static final int RESOLVE_BENEATH = 0x08;
    /**
     * Resolve as if the directory were the root: {@code ..} stops there and absolute paths and
     * symbolic links start there, as inside a {@code chroot}.
     */
    public static final int RESOLVE_IN_ROOT = 0x10;
    /** Succeed only if the lookup can be done from the kernel's caches without blocking ({@code EAGAIN} otherwise). */
    public static final int RESOLVE_CACHED = 0x20;

    /** Every flag this class names: bits beyond these are refused in the caller. */
    static final int ALL = RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH
            | RESOLVE_IN_ROOT | RESOLVE_CACHED;
}
