package io.linuxaio.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The self-check programs run in this JVM, on the host: what the container tests run in a container. */
class EngineSelfCheckTest {
    static final List<String> CHECKS = List.of("engine", "open", "write", "read", "stat", "lstat",
            "openat", "readdir", "pollFileno", "close", "errors", "unlink", "close-outstanding");

    @TempDir
    Path base;

    @Test
    void everyCheckPassesAndTheWorkingDirectoryIsRemoved() throws IOException {
        Output output = new Output();
        int status = EngineSelfCheck.run(base, output.stream);

        List<String> lines = output.lines();
        assertEquals(0, status, output.text());
        assertEquals(CHECKS.size() + 1, lines.size(), output.text());
        for (int i = 0; i < CHECKS.size(); i++) {
            assertTrue(lines.get(i).startsWith("ok " + CHECKS.get(i) + " "), "line " + i + ": " + output.text());
        }
        assertEquals("SELF-CHECK PASSED: " + CHECKS.size() + " of " + CHECKS.size() + " checks ok", lines.get(CHECKS.size()));
        assertEmpty(base);
    }

    @Test
    void diskFullCheckFailsWhenTheFileSystemNeverFillsUp() throws IOException {
        Output output = new Output();
        int status = DiskFullCheck.run(base, 1024 * 1024, output.stream);

        assertEquals(1, status, output.text());
        List<String> lines = output.lines();
        assertTrue(lines.get(0).startsWith("ok engine "), output.text());
        assertTrue(lines.get(1).startsWith("FAIL enospc: no ENOSPC after writing 1048576 bytes"), output.text());
        assertEquals("SELF-CHECK FAILED: 1 of 2 checks failed", lines.get(2), output.text());
        assertEquals(3, lines.size(), output.text());
        assertEmpty(base);
    }

    @Test
    void aMissingDirectoryIsAFailedSetupNotACrash() {
        Output output = new Output();
        int status = EngineSelfCheck.run(new String[] {"--enospc", base.resolve("absent").toString()}, output.stream, output.stream);

        assertEquals(1, status, output.text());
        assertEquals(List.of("FAIL setup: " + base.resolve("absent") + " is not a directory",
                "SELF-CHECK FAILED: 1 of 1 checks failed"), output.lines());
    }

    @Test
    void aReportWithNoCheckDoesNotPass() {
        Output output = new Output();
        assertEquals(1, new CheckReport(output.stream).finish());
        assertEquals(List.of("SELF-CHECK FAILED: 0 of 0 checks failed"), output.lines());
    }

    @Test
    void unknownArgumentsAreAUsageError() {
        Output out = new Output();
        Output err = new Output();
        assertEquals(2, EngineSelfCheck.run(new String[] {"--bogus"}, out.stream, err.stream));
        assertEquals(List.of(), out.lines());
        assertEquals(List.of("usage: engine-self-check [DIR] | --enospc DIR"), err.lines());
    }

    private static void assertEmpty(Path dir) throws IOException {
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of(), left.toList(), "left behind in " + dir);
        }
    }

    private static final class Output {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);

        String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }

        List<String> lines() {
            return text().lines().toList();
        }
    }
}
