package io.linuxaio;

/**
 * The tag of tests whose oracle is the host kernel's own view of the process (/proc/self/smaps,
 * /proc/mounts) rather than what the engine's calls return. They run everywhere CI runs the tests
 * natively; `.ci/aarch64-check.sh` leaves them out, since under qemu-user in a chroot those views
 * describe the emulator and the host, not the aarch64 program.
 */
final class HostKernelViews {
    static final String TAG = "host-kernel-views";

    private HostKernelViews() {}
}
