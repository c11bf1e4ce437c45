package io.linuxaio;

import static io.linuxaio.Fcntl.*;
import static io.linuxaio.Polling.await;
import static io.linuxaio.Polling.failure;
import static org.junit.jupiter.api.Assertions.*;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@link Fcntl} flag means to the kernel of the CPU this runs on what its name says: the
 * kernel reports each flag back in {@code F_GETFL} in its own encoding, and the flags that change
 * what is opened do so. A flag with another CPU's value lands on another flag's bit (aarch64 swaps
 * O_DIRECT, O_LARGEFILE, O_DIRECTORY and O_NOFOLLOW around), which the exact comparisons here
 * catch. Run on each supported CPU (see .ci/aarch64-check.sh), through open(2) and openat2(2).
 */
class OpenFlagsTest {
    /** fcntl(2) commands and bits, the same on every Linux CPU ({@code asm-generic/fcntl.h}). */
    private static final int F_GETFD = 1, F_GETFL = 3, FD_CLOEXEC = 1;
    private static final int EINVAL = 22, ENOTDIR = 20, ELOOP = 40;

    @TempDir Path dir;
    private final LinuxAio aio = new LinuxAio();
    private Path file;
    private Path link;

    @BeforeEach
    void files() throws Exception {
        file = Files.writeString(dir.resolve("file"), "bytes");
        link = Files.createSymbolicLink(dir.resolve("link"), file.getFileName());
    }

    @AfterEach
    void closeEngine() {
        aio.close();
    }

    private interface Opener {
        AioRequest<AioFile> open(Path path, int flags);
    }

    private final Map<String, Opener> openers = Map.of(
            "open", (path, flags) -> aio.open(path.toString(), flags, 0, null),
            "openat2", (path, flags) -> aio.openat(null, path.toString(), flags, 0, 0, null));

    /** The flags the kernel holds for the file {@code opener} opened with {@code flags}. */
    private int kernelFlags(Opener opener, Path path, int flags) throws AioException {
        AioFile opened = await(aio, opener.open(path, flags));
        try {
            return Libc.fcntl(opened.fd(), F_GETFL);
        } finally {
            await(aio, aio.close(opened, null));
        }
    }

    private static String octal(int flags) {
        return "0" + Integer.toOctalString(flags);
    }

    @Test
    void theKernelReportsBackExactlyTheFlagsGivenPlusLargefile() throws Exception {
        int[] flags = {O_RDONLY, O_WRONLY | O_APPEND, O_RDWR | O_NONBLOCK, O_RDWR | O_DSYNC, O_RDWR | O_SYNC,
                O_RDONLY | O_NOATIME, O_RDONLY | O_NOFOLLOW};
        for (Map.Entry<String, Opener> opener : openers.entrySet()) {
            for (int given : flags) {
                // A 64-bit kernel adds O_LARGEFILE to every open but an O_PATH one, at its own CPU's bit.
                assertEquals(octal(given | O_LARGEFILE), octal(kernelFlags(opener.getValue(), file, given)),
                        opener.getKey() + " with " + octal(given));
            }
        }
    }

    @Test
    void oDirectReachesTheKernelAsODirect() throws Exception {
        for (Map.Entry<String, Opener> opener : openers.entrySet()) {
            AioFile opened;
            try {
                opened = await(aio, opener.getValue().open(file, O_RDONLY | O_DIRECT));
            } catch (AioException e) {
                // A file system without direct I/O refuses the flag; a wrong value would be another
                // CPU's O_DIRECTORY here, which fails with ENOTDIR instead.
                assertEquals(EINVAL, e.errno(), opener.getKey() + ": " + e.getMessage());
                continue;
            }
            int reported = Libc.fcntl(opened.fd(), F_GETFL);
            await(aio, aio.close(opened, null));
            assertEquals(octal(O_RDONLY | O_DIRECT | O_LARGEFILE), octal(reported), opener.getKey());
        }
    }

    @Test
    void oDirectoryOpensADirectoryAndRefusesAFile() throws Exception {
        for (Map.Entry<String, Opener> opener : openers.entrySet()) {
            assertEquals(octal(O_RDONLY | O_DIRECTORY | O_LARGEFILE),
                    octal(kernelFlags(opener.getValue(), dir, O_RDONLY | O_DIRECTORY)), opener.getKey());
            AioException e = failure(aio, opener.getValue().open(file, O_RDONLY | O_DIRECTORY));
            assertEquals(ENOTDIR, e.errno(), opener.getKey() + ": " + e.getMessage());
        }
    }

    @Test
    void oNofollowRefusesASymbolicLinkThatOPathOpensItself() throws Exception {
        for (Map.Entry<String, Opener> opener : openers.entrySet()) {
            AioException e = failure(aio, opener.getValue().open(link, O_RDONLY | O_NOFOLLOW));
            assertEquals(ELOOP, e.errno(), opener.getKey() + ": " + e.getMessage());

            AioFile linkItself = await(aio, opener.getValue().open(link, O_PATH | O_NOFOLLOW));
            try {
                Stat stat = await(aio, aio.stat(linkItself, null));
                assertTrue(stat.isSymbolicLink(), opener.getKey() + " opened the link's target");
                // qemu-user reports O_LARGEFILE on every descriptor; a kernel does not on O_PATH ones.
                int reported = Libc.fcntl(linkItself.fd(), F_GETFL) & ~O_LARGEFILE;
                assertEquals(octal(O_PATH | O_NOFOLLOW), octal(reported), opener.getKey());
            } finally {
                await(aio, aio.close(linkItself, null));
            }
        }
    }

    @Test
    void everyDescriptorTheEngineOpensIsCloseOnExec() throws Exception {
        for (Map.Entry<String, Opener> opener : openers.entrySet()) {
            AioFile opened = await(aio, opener.getValue().open(file, O_RDONLY));
            try {
                assertEquals(FD_CLOEXEC, Libc.fcntl(opened.fd(), F_GETFD) & FD_CLOEXEC, opener.getKey());
            } finally {
                await(aio, aio.close(opened, null));
            }
        }
    }

    /** fcntl(2) with no third argument, for the test's own look at a descriptor. */
    private static final class Libc {
        static {
            Native.register(Libc.class, NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
        }

        static native int fcntl(int fd, int cmd) throws LastErrorException;
    }
}
