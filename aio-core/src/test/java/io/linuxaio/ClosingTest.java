package io.linuxaio;

import static io.linuxaio.Fcntl.*;
import static io.linuxaio.Polling.await;
import static io.linuxaio.Polling.until;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** maxParallel(0), close() and JVM exit deliver every accepted request exactly once. */
class ClosingTest {
    private static final int MANY = 10_000;

    @TempDir Path dir;

    private static void assertEachOnce(AtomicIntegerArray calls) {
        for (int i = 0; i < calls.length(); i++) {
            assertEquals(1, calls.get(i), "callback " + i);
        }
    }

    private static AtomicIntegerArray submitMany(AioContext context, String path) {
        AtomicIntegerArray calls = new AtomicIntegerArray(MANY);
        for (int i = 0; i < MANY; i++) {
            int n = i;
            context.stat(path, (s, e) -> calls.incrementAndGet(n));
        }
        return calls;
    }

    @Test
    void maxParallelZeroWithTenThousandOutstandingDeliversEveryCallbackOnce() throws Exception {
        try (LinuxAio aio = new LinuxAio()) {
            aio.minParallel(4);
            AtomicIntegerArray calls = submitMany(aio, dir.toString());
            aio.maxParallel(0);
            assertEquals(0, aio.nthreads());
            assertEquals(0, aio.nready(), "the workers drained the queue before leaving");
            until(aio, () -> aio.nreqs() == 0);
            assertEachOnce(calls);
        }
    }

    @Test
    void closeWithTenThousandOutstandingDeliversEveryCallbackOnce() {
        LinuxAio aio = new LinuxAio();
        AioContext other = aio.newContext();
        AtomicIntegerArray calls = submitMany(aio, dir.toString());
        AtomicIntegerArray otherCalls = submitMany(other, dir.toString());
        aio.close();
        assertEachOnce(calls);
        assertEachOnce(otherCalls);
        assertEquals(0, aio.nreqs());
        assertEquals(0, other.nreqs());
        assertEquals(0, aio.nthreads());
        assertTrue(other.isClosed());
        assertThrows(IllegalStateException.class, () -> other.stat(dir.toString(), null));
        aio.close(); // a second close does nothing
    }

    @Test
    void closeLosesNoWriteAndClosesItsDescriptors() throws Exception {
        Set<String> before = engineDescriptors();
        LinuxAio aio = new LinuxAio();
        AioContext second = aio.newContext();
        AioFile file = await(aio, aio.open(dir.resolve("w").toString(), O_WRONLY | O_CREAT, 0644, null));
        Set<String> opened = engineDescriptors();
        opened.removeAll(before);
        assertEquals(3, opened.size(), "two eventfds and the file, seen while open: " + opened);
        byte[] block = new byte[4096];
        for (int i = 0; i < 256; i++) {
            java.util.Arrays.fill(block, (byte) i);
            aio.write(file, (long) i * block.length, block.length, block.clone(), 0, null);
        }
        aio.close(file, null);
        second.stat(dir.toString(), null);
        aio.close();
        byte[] written = Files.readAllBytes(dir.resolve("w"));
        assertEquals(256 * 4096, written.length);
        for (int i = 0; i < 256; i++) {
            assertEquals((byte) i, written[i * 4096 + 4095]);
        }
        assertEquals(before, engineDescriptors(), "eventfds and the file are closed");
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void closeRunsWhatIsQueuedEvenWithMaxParallelZero() throws Exception {
        LinuxAio aio = new LinuxAio();
        aio.maxParallel(0);
        AtomicIntegerArray calls = submitMany(aio, dir.toString());
        AioContext other = aio.newContext();
        AtomicIntegerArray otherCalls = submitMany(other, dir.toString());
        assertEquals(0, aio.nthreads());
        aio.close();
        assertEachOnce(calls);
        assertEachOnce(otherCalls);
        assertEquals(0, aio.nthreads());
    }

    @Test
    void aCallbackMayCloseTheEngine() {
        LinuxAio aio = new LinuxAio();
        AtomicIntegerArray calls = submitMany(aio, dir.toString());
        java.util.concurrent.atomic.AtomicBoolean closedInside = new java.util.concurrent.atomic.AtomicBoolean();
        aio.stat(dir.toString(), (s, e) -> {
            aio.close();
            closedInside.set(true);
        });
        until(aio, closedInside::get);
        assertEachOnce(calls);
        assertEquals(0, aio.nthreads());
        assertTrue(aio.isClosed());
    }

    @Test
    void closingAContextLeavesTheEngineRunning() throws Exception {
        try (LinuxAio aio = new LinuxAio()) {
            AioContext context = aio.newContext();
            AtomicIntegerArray calls = submitMany(context, dir.toString());
            context.close();
            assertEachOnce(calls);
            assertThrows(IllegalStateException.class, () -> context.stat(dir.toString(), null));
            assertNotNull(await(aio, aio.stat(dir.toString(), null)));
        }
    }

    @Test
    void anEngineNeverClosedIsDrainedAtJvmExit() throws Exception {
        Path target = dir.resolve("at-exit");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                ExitWithoutClose.class.getName(), target.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "child JVM did not exit");
        String output = new String(process.getInputStream().readAllBytes());
        assertEquals(0, process.exitValue(), output);
        assertEquals(ExitWithoutClose.BLOCKS * ExitWithoutClose.BLOCK, Files.size(target), output);
        assertTrue(output.contains("callbacks " + ExitWithoutClose.BLOCKS), "callbacks ran at exit: " + output);
    }

    @Test
    void drainAtExitFalseLeavesClosingToTheProgram() {
        try (LinuxAio aio = new LinuxAio()) {
            aio.drainAtExit(false);
            assertFalse(Runtime.getRuntime().removeShutdownHook(aio.exitHook), "the exit hook is gone");
            aio.drainAtExit(true);
            aio.drainAtExit(true);
            assertTrue(Runtime.getRuntime().removeShutdownHook(aio.exitHook), "the exit hook is back, once");
            aio.drainAtExit(true);
        }
    }

    /**
     * This process's descriptors that an engine may have opened here, as "fd -> target": eventfds
     * and files under {@code dir}. Counting every descriptor would also count those the JVM or the
     * test runner open lazily (surefire's socket, JNA's jar), which depends on the tests before.
     */
    private Set<String> engineDescriptors() throws IOException {
        Set<String> found = new TreeSet<>();
        String under = dir.toRealPath().toString();
        try (var entries = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) entries::iterator) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException closedMeanwhile) {
                    continue; // The listing's own descriptor, among others, is gone by now.
                }
                if (target.equals("anon_inode:[eventfd]") || target.startsWith(under)) {
                    found.add(fd.getFileName() + " -> " + target);
                }
            }
        }
        return found;
    }

    /** Run in a child JVM: queues writes and exits main without closing or polling. */
    static final class ExitWithoutClose {
        static final int BLOCKS = 512;
        static final int BLOCK = 8192;

        public static void main(String[] args) throws Exception {
            LinuxAio aio = new LinuxAio();
            AioFile file = await(aio, aio.open(args[0], O_WRONLY | O_CREAT | O_TRUNC, 0644, null));
            aio.maxParallel(1);
            java.util.concurrent.atomic.AtomicInteger callbacks = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.CountDownLatch allRan = new java.util.concurrent.CountDownLatch(BLOCKS);
            for (int i = 0; i < BLOCKS; i++) {
                aio.write(file, (long) i * BLOCK, BLOCK, new byte[BLOCK], 0, (n, e) -> {
                    callbacks.incrementAndGet();
                    allRan.countDown();
                });
            }
            aio.close(file, null);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                // Hooks run concurrently; wait for the engine's drain to run the callbacks, then report.
                try {
                    allRan.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                System.out.println("callbacks " + callbacks.get());
            }));
        }
    }
}
