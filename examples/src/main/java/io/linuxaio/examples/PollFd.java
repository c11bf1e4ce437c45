package io.linuxaio.examples;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/** poll(2) on one descriptor, the way an event loop watches the engine's {@code pollFileno()}. */
final class PollFd {
    private static final short POLLIN = 1;
    private static final int EINTR = 4;

    static {
        Native.register(PollFd.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
    }

    private PollFd() {}

    /** {@code struct pollfd} is 8 bytes: int fd, short events, short revents. */
    private static native int poll(Pointer fds, long nfds, int timeoutMillis) throws LastErrorException;

    /** Whether {@code fd} is readable within {@code timeoutMillis} (0: right now). */
    static boolean readable(int fd, int timeoutMillis) {
        try (Memory pollfd = new Memory(8)) {
            pollfd.setInt(0, fd);
            pollfd.setShort(4, POLLIN);
            pollfd.setShort(6, (short) 0);
            for (;;) {
                try {
                    return poll(pollfd, 1, timeoutMillis) == 1 && (pollfd.getShort(6) & POLLIN) != 0;
                } catch (LastErrorException e) {
                    if (e.getErrorCode() != EINTR) {
                        throw e;
                    }
                }
            }
        }
    }
}
