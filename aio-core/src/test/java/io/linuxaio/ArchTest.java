package io.linuxaio;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The choice of a CPU's table, and the refusal of a CPU without one before anything reaches the kernel. */
class ArchTest {
    @Test
    void eachSupportedCpuIsFoundUnderTheNamesJvmsGiveIt() {
        assertSame(Arch.X86_64, Arch.of("amd64"));
        assertSame(Arch.X86_64, Arch.of("x86_64"));
        assertSame(Arch.AARCH64, Arch.of("aarch64"));
    }

    @Test
    void aCpuWithoutATableIsRefusedNamingItAndTheSupportedOnes() {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> Arch.of("riscv64"));
        assertTrue(e.getMessage().contains("riscv64"), e.getMessage());
        assertTrue(e.getMessage().contains("x86_64 (os.arch amd64 or x86_64), aarch64 (os.arch aarch64)"), e.getMessage());
    }

    @Test
    void neighboursOfTheSupportedCpusAreRefusedToo() {
        // 32-bit JVMs on x86 and ARM (other struct layouts), big-endian aarch64 (never checked).
        for (String osArch : List.of("x86", "i386", "arm", "aarch64_be", "")) {
            assertThrows(UnsupportedOperationException.class, () -> Arch.of(osArch), osArch);
        }
    }

    /**
     * A JVM that says it runs on riscv64 (the property is all the engine looks at; JNA would load
     * its riscv64 library and fail if anything reached it first): the engine throws the clear
     * refusal, and the CPU-dependent flags refuse too, while the ones every CPU shares still work.
     */
    @Test
    void theEngineRefusesAnUnsupportedCpuAtStartBeforeTouchingNativeCode() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-Dos.arch=riscv64", "-cp", System.getProperty("java.class.path"),
                OnRiscv.class.getName()).redirectErrorStream(true).start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), out);
        assertTrue(out.contains("engine: java.lang.UnsupportedOperationException: linux-aio does not support the CPU"
                + " architecture riscv64"), out);
        assertTrue(out.contains("O_RDONLY|O_CREAT 64\n"), out);
        assertTrue(out.contains("O_DIRECTORY: java.lang.ExceptionInInitializerError caused by"
                + " java.lang.UnsupportedOperationException\n"), out);
    }

    /** Runs in the child JVM. */
    static final class OnRiscv {
        public static void main(String[] args) {
            try (LinuxAio aio = new LinuxAio()) {
                System.out.println("engine started: " + aio.pollFileno());
            } catch (Throwable e) {
                System.out.println("engine: " + e);
            }
            System.out.println("O_RDONLY|O_CREAT " + (Fcntl.O_RDONLY | Fcntl.O_CREAT));
            try {
                System.out.println("O_DIRECTORY " + Fcntl.O_DIRECTORY);
            } catch (Throwable e) {
                System.out.println("O_DIRECTORY: " + e.getClass().getName() + " caused by " + e.getCause().getClass().getName());
            }
        }
    }
}
