package io.linuxaio;

/** Linux errno numbers ({@code asm-generic/errno.h}, which x86_64 and aarch64 share) and their symbolic names. */
final class Errno {
    /** The ones the engine itself raises or tests for; the rest are named by {@link #name}. */
    static final int EPERM = 1, ENOENT = 2, EINTR = 4, EIO = 5, E2BIG = 7, EBADF = 9, EAGAIN = 11, ENOMEM = 12, EACCES = 13, EXDEV = 18, ENOTDIR = 20,
            EISDIR = 21, EINVAL = 22, ENFILE = 23, EMFILE = 24, EFBIG = 27, ENAMETOOLONG = 36, ENOSYS = 38, ELOOP = 40, ENOTSOCK = 88,
            EPROTOTYPE = 91, EOPNOTSUPP = 95, EAFNOSUPPORT = 97;

    private static final String[] NAMES = new String[134];

    static {
        String[] table = {
            "1 EPERM", "2 ENOENT", "3 ESRCH", "4 EINTR", "5 EIO", "6 ENXIO", "7 E2BIG", "8 ENOEXEC",
            "9 EBADF", "10 ECHILD", "11 EAGAIN", "12 ENOMEM", "13 EACCES", "14 EFAULT", "15 ENOTBLK",
            "16 EBUSY", "17 EEXIST", "18 EXDEV", "19 ENODEV", "20 ENOTDIR", "21 EISDIR", "22 EINVAL",
            "23 ENFILE", "24 EMFILE", "25 ENOTTY", "26 ETXTBSY", "27 EFBIG", "28 ENOSPC", "29 ESPIPE",
            "30 EROFS", "31 EMLINK", "32 EPIPE", "33 EDOM", "34 ERANGE", "35 EDEADLK",
            "36 ENAMETOOLONG", "37 ENOLCK", "38 ENOSYS", "39 ENOTEMPTY", "40 ELOOP", "53 EBADR", "61 ENODATA",
            "75 EOVERFLOW", "84 EILSEQ", "88 ENOTSOCK", "95 EOPNOTSUPP", "110 ETIMEDOUT", "116 ESTALE", "122 EDQUOT",
            "125 ECANCELED",
        };
        for (String entry : table) {
            int space = entry.indexOf(' ');
            NAMES[Integer.parseInt(entry.substring(0, space))] = entry.substring(space + 1);
        }
    }

    /** The system's words for each errno, looked up once: strerror(3) is the same for the life of the process. */
    private static final String[] REASONS = new String[NAMES.length];

    private Errno() {}

    /** What strerror(3) says of {@code errno}, such as {@code No such file or directory}. */
    static String reason(int errno) {
        if (errno <= 0 || errno >= REASONS.length) {
            return Posix.strerror(errno);
        }
        String reason = REASONS[errno];
        if (reason == null) {
            reason = Posix.strerror(errno); // a race makes the same string twice, harmlessly
            REASONS[errno] = reason;
        }
        return reason;
    }

    /** The symbolic name, such as {@code ENOENT}, or {@code E<number>} for one this table lacks. */
    static String name(int errno) {
        String name = errno > 0 && errno < NAMES.length ? NAMES[errno] : null;
        return name != null ? name : "E" + errno;
    }
}
