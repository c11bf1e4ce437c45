package io.linuxaio.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.MountableFile;

/**
 * The engine's end-to-end check, run as {@code engine-self-check.jar} inside a Linux container of
 * the test image, with no network; the test reads its report. Skipped, with the reason, when
 * Docker cannot be reached.
 */
@Testcontainers(disabledWithoutDocker = true)
class EngineSelfCheckIT {
    private static final String JAR = "/opt/linux-aio/engine-self-check.jar";
    private static final Duration LIMIT = Duration.ofMinutes(2);

    @BeforeAll
    static void theJarIsBuilt() {
        assertTrue(Files.isRegularFile(ExampleJars.selfCheck()),
                ExampleJars.selfCheck() + " is missing: run the container tests through mvn verify, which packages it first");
    }

    @Test
    void everyEngineCheckPassesInsideTheContainer() {
        ProgramRun run = runSelfCheck(Map.of(), "/tmp");

        List<String> lines = run.lines();
        assertEquals(0, run.exitCode(), run.describe());
        List<String> checks = EngineSelfCheckTest.CHECKS;
        assertEquals(checks.size() + 1, lines.size(), run.describe());
        for (int i = 0; i < checks.size(); i++) {
            assertTrue(lines.get(i).startsWith("ok " + checks.get(i) + " "), "line " + i + " of\n" + run.describe());
        }
        assertEquals("SELF-CHECK PASSED: " + checks.size() + " of " + checks.size() + " checks ok", lines.get(checks.size()), run.describe());
    }

    @Test
    void aFullDiskReachesTheCallbackAsEnospcWhileTheEngineKeepsWorking() {
        ProgramRun run = runSelfCheck(Map.of("/full", "size=1m"), "--enospc", "/full");

        List<String> lines = run.lines();
        assertEquals(0, run.exitCode(), run.describe());
        assertEquals(6, lines.size(), run.describe());
        assertTrue(lines.get(0).startsWith("ok engine "), run.describe());
        assertTrue(lines.get(1).startsWith("ok enospc ") && lines.get(1).contains("write(/full/fill): ENOSPC"), run.describe());
        assertTrue(lines.get(2).startsWith("ok read-after-enospc "), run.describe());
        assertTrue(lines.get(3).startsWith("ok stat-after-enospc "), run.describe());
        assertTrue(lines.get(4).startsWith("ok write-after-unlink "), run.describe());
        assertEquals("SELF-CHECK PASSED: 5 of 5 checks ok", lines.get(5), run.describe());
    }

    private static ProgramRun runSelfCheck(Map<String, String> tmpfs, String... arguments) {
        String[] command = new String[4 + arguments.length];
        command[0] = "java";
        command[1] = "-Xmx256m";
        command[2] = "-jar";
        command[3] = JAR;
        System.arraycopy(arguments, 0, command, 4, arguments.length);
        try (GenericContainer<?> container = TestImage.newContainer()
                .withNetworkMode("none")
                .withTmpFs(tmpfs)
                .withCopyFileToContainer(MountableFile.forHostPath(ExampleJars.selfCheck()), JAR)
                .withCommand(command)) {
            return ProgramRun.of(container, LIMIT);
        }
    }
}
