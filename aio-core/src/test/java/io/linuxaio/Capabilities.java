package io.linuxaio;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Test helper: which privileges this process has, so a test can expect success where it has one
 * and the kernel's refusal where it has not (a non-root run, or root in a container that drops it).
 */
final class Capabilities {
    static final int CAP_CHOWN = 0, CAP_DAC_OVERRIDE = 1, CAP_IPC_LOCK = 14, CAP_MKNOD = 27;

    private Capabilities() {}

    /** Whether capability {@code bit} is in this process's effective set. */
    static boolean has(int bit) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("CapEff:")) {
                return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << bit)) != 0;
            }
        }
        throw new AssertionError("no CapEff in /proc/self/status");
    }
}
