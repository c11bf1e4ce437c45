package com.example.newuser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@link Main} as "java --module-path ... -m com.example.newuser/com.example.newuser.Main":
 * module-info.java requires io.linuxaio and io.linuxaio.netty, the names our jars' manifests give,
 * and the program prints the modules it found our classes in.
 */
class ModulePathTest {
    @Test
    void theProgramServesAFileOnTheModulePathInOurNamedModules(@TempDir Path dir) throws Exception {
        String modulePath = System.getProperty("newuser.modulepath");
        assertNotNull(modulePath, "the pom passes the module path as newuser.modulepath");
        byte[] content = new byte[100_000];
        new Random(16).nextBytes(content);
        Path file = Files.write(dir.resolve("data.bin"), content);

        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--module-path", modulePath,
                // Netty's native epoll jar is a module nothing requires: it must be added by hand.
                "--add-modules", "ALL-MODULE-PATH",
                "-m", "com.example.newuser/com.example.newuser.Main", file.toString());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
        }
        String printed = output.get(1, TimeUnit.MINUTES);
        assertEquals(0, process.exitValue(), printed);
        assertTrue(printed.contains("served 100000 bytes; module com.example.newuser, module io.linuxaio, "
                + "module io.linuxaio.netty"), printed);
    }
}
