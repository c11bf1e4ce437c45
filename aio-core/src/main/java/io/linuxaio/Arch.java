package io.linuxaio;

import java.util.List;

/**
 * The values the engine hands the kernel that differ between CPU architectures, one table per
 * architecture that was checked, and the refusal of every other one.
 *
 * <p>Each table is copied from the C headers of that architecture (the kernel's
 * {@code asm/fcntl.h} and {@code asm/unistd.h}, glibc's {@code bits/fcntl.h}: Debian bookworm's
 * {@code linux-libc-dev} and {@code linux-libc-dev-arm64-cross} 6.1, {@code libc6-dev} and
 * {@code libc6-dev-arm64-cross} 2.36), as {@code .ci/arch-values.c} prints them when built for
 * each CPU. Everything else the engine passes is the same on both, so it is not in the tables: the
 * other open flags ({@code asm-generic/fcntl.h}, {@code O_TMPFILE}'s own bit included),
 * {@code AT_*}, {@code EFD_*} (equal to {@code O_CLOEXEC} and {@code O_NONBLOCK}), {@code POLLIN},
 * {@code RESOLVE_*}, {@code RWF_*}, the errno numbers ({@code asm-generic/errno.h}), and the
 * layouts of {@code struct statx}, {@code struct open_how}, {@code struct iovec}, glibc's
 * {@code struct dirent64} and {@code struct pollfd}, all with 64-bit {@code long}, pointers and
 * {@code off_t}, little-endian.
 *
 * <p>A table for another CPU must check all of that again: alpha, mips, parisc and sparc move
 * other open flags and the errno numbers too, and 32-bit CPUs have other struct layouts.
 */
final class Arch {
    // O_DIRECT O_LARGEFILE O_DIRECTORY O_NOFOLLOW; then the system calls glibc has no wrapper for here: openat2
    // and getdents64 (asm/unistd_64.h; asm-generic/unistd.h for aarch64).
    static final Arch X86_64 = new Arch("x86_64", List.of("amd64", "x86_64"), 040000, 0100000, 0200000, 0400000,
            437, 217);
    static final Arch AARCH64 = new Arch("aarch64", List.of("aarch64"), 0200000, 0400000, 040000, 0100000,
            437, 61);
    static final List<Arch> SUPPORTED = List.of(X86_64, AARCH64);

    /** The name the Linux kernel gives the CPU ({@code uname -m}). */
    final String name;
    /** The {@code os.arch} values a JVM reports on it. */
    final List<String> osArch;
    final int oDirect;
    /**
     * The kernel's value, which the kernel also reports in {@code F_GETFL}. glibc (and so Perl's
     * {@code Fcntl}) defines {@code O_LARGEFILE} as 0 on 64-bit CPUs, where the kernel sets it
     * on every open anyway.
     */
    final int oLargefile;
    final int oDirectory;
    final int oNofollow;
    /** openat2(2), called through syscall(2) since glibc has no wrapper for it. */
    final long sysOpenat2;
    /** getdents64(2), which glibc wraps only since 2.30. */
    final long sysGetdents64;

    private Arch(String name, List<String> osArch, int oDirect, int oLargefile, int oDirectory, int oNofollow,
                 long sysOpenat2, long sysGetdents64) {
        this.name = name;
        this.osArch = osArch;
        this.oDirect = oDirect;
        this.oLargefile = oLargefile;
        this.oDirectory = oDirectory;
        this.oNofollow = oNofollow;
        this.sysOpenat2 = sysOpenat2;
        this.sysGetdents64 = sysGetdents64;
    }

    /**
     * The table of the CPU this JVM runs on.
     *
     * @throws UnsupportedOperationException if there is none
     */
    static Arch host() {
        return of(System.getProperty("os.arch"));
    }

    /**
     * The table for a JVM whose {@code os.arch} is {@code osArch}.
     *
     * @throws UnsupportedOperationException naming {@code osArch} and the supported CPUs, if there is none
     */
    static Arch of(String osArch) {
        for (Arch arch : SUPPORTED) {
            if (arch.osArch.contains(osArch)) {
                return arch;
            }
        }
        StringBuilder supported = new StringBuilder();
        for (Arch arch : SUPPORTED) {
            supported.append(supported.length() == 0 ? "" : ", ").append(arch.name)
                    .append(" (os.arch ").append(String.join(" or ", arch.osArch)).append(')');
        }
        throw new UnsupportedOperationException("linux-aio does not support the CPU architecture " + osArch
                + " (os.arch): open flags, system call numbers and struct layouts differ between CPUs, and there"
                + " is no checked table of them for this one. Supported: " + supported);
    }
}
