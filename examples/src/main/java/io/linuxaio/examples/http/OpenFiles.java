package io.linuxaio.examples.http;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's limit on open descriptors ({@code RLIMIT_NOFILE}), read and raised through
 * {@code getrlimit(2)} and {@code setrlimit(2)}. {@code struct rlimit} is two 64-bit words on the
 * 64-bit Linux targets the project builds for (x86_64, aarch64); elsewhere the limit is only read
 * from {@code /proc/self/limits} and never changed.
 */
final class OpenFiles {
    private static final int RLIMIT_NOFILE = 7;
    private static final long RLIM_INFINITY = -1L;
    private static final boolean NATIVE = Native.LONG_SIZE == 8 && register();

    private OpenFiles() {}

    private static boolean register() {
        try {
            Native.register(OpenFiles.class, "c");
            return true;
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return false;
        }
    }

    private static native int getrlimit(int resource, long[] limits) throws LastErrorException;

    private static native int setrlimit(int resource, long[] limits) throws LastErrorException;

    /** The soft limit: how many descriptors this process may have open; Long.MAX_VALUE for none. */
    static long soft() {
        long[] limits = limits();
        return limits == null ? fromProc() : unlimited(limits[0]);
    }

    /**
     * Raises the soft limit to the hard one (as far as the kernel's {@code fs.nr_open} allows), as
     * nginx's {@code worker_rlimit_nofile} lets one: a server is the one program that should have
     * as many descriptors as it may. HotSpot does this itself at start unless
     * {@code -XX:-MaxFDLimit}; other JVMs may not. Returns the soft limit now in force.
     */
    static long raiseSoftToHard() {
        long[] limits = limits();
        if (limits == null) {
            return fromProc();
        }
        long hard = limits[1];
        long target = hard == RLIM_INFINITY ? nrOpen() : Math.min(hard, nrOpen());
        if (Long.compareUnsigned(limits[0], target) < 0) {
            try {
                setrlimit(RLIMIT_NOFILE, new long[] {target, hard});
            } catch (LastErrorException refused) {
                return unlimited(limits[0]); // a sandbox may forbid it: keep what we have
            }
        }
        return soft();
    }

    private static long[] limits() {
        if (!NATIVE) {
            return null;
        }
        long[] limits = new long[2];
        try {
            getrlimit(RLIMIT_NOFILE, limits);
        } catch (LastErrorException e) {
            return null;
        }
        return limits;
    }

    private static long unlimited(long limit) {
        return limit == RLIM_INFINITY || limit < 0 ? Long.MAX_VALUE : limit;
    }

    /** The kernel's ceiling for any process's limit; 1048576 unless changed. */
    private static long nrOpen() {
        try {
            // Not Files.readString: on a /proc/sys file, which says its size is 0, it reads one byte.
            return Long.parseLong(Files.readAllLines(Path.of("/proc/sys/fs/nr_open")).get(0).strip());
        } catch (IOException | RuntimeException e) {
            return 1L << 20;
        }
    }

    /** "Max open files  SOFT  HARD  files" from /proc/self/limits, where getrlimit cannot be called. */
    private static long fromProc() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String soft = line.substring("Max open files".length()).strip().split("\\s+")[0];
                    return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return 1024; // the usual default
    }
}
