package io.linuxaio.examples;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's {@code chromium}, run headless once per page, for tests that must see what a browser
 * makes of a page: the DOM after its scripts ran, and screenshots. Each run gets a profile
 * directory of its own, removed afterwards, and no network beyond the URL given (no updates, no
 * sync, no QUIC). Where chromium is missing, the test that asks for it is skipped, but not in CI
 * ({@code CI} set, as {@code .ci/run} runs), where {@code .ci/run} installs it and a skip would
 * hide a browser test that never ran.
 */
public final class HeadlessChromium {
    private static final long TIMEOUT_SECONDS = 120;

    private final Path executable;

    private HeadlessChromium(Path executable) {
        this.executable = executable;
    }

    /** The chromium on the PATH; skips the test when there is none, and fails it in CI. */
    public static HeadlessChromium require() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            for (String name : List.of("chromium", "chromium-browser")) {
                Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate)) {
                    return new HeadlessChromium(candidate);
                }
            }
        }
        String missing = "chromium is not installed (apt-get install chromium)";
        if (System.getenv("CI") != null) {
            throw new AssertionError(missing + ", and in CI the browser tests must run: .ci/run installs it");
        }
        Assumptions.assumeTrue(false, missing);
        throw new AssertionError("unreachable");
    }

    /** The document as the browser has it once the page (frames included) has loaded and its scripts ran. */
    public String dumpDom(URI page, int width, int height) {
        return new String(run(page, width, height, "--dump-dom"), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** A PNG of the page in a window of {@code width} x {@code height} CSS pixels, written to {@code png}. */
    public void screenshot(URI page, int width, int height, Path png) throws IOException {
        Files.createDirectories(png.toAbsolutePath().getParent());
        Files.deleteIfExists(png);
        run(page, width, height, "--screenshot=" + png.toAbsolutePath(), "--hide-scrollbars");
        if (!Files.isRegularFile(png)) {
            throw new AssertionError("chromium wrote no screenshot to " + png);
        }
    }

    /** The width and height a PNG's header gives. */
    public static int[] pngSize(Path png) throws IOException {
        byte[] header = new byte[24];
        try (var in = Files.newInputStream(png)) {
            if (in.readNBytes(header, 0, header.length) != header.length
                    || (header[1] != 'P' || header[2] != 'N' || header[3] != 'G')) {
                throw new AssertionError(png + " is not a PNG");
            }
        }
        ByteBuffer ihdr = ByteBuffer.wrap(header, 16, 8);
        return new int[] {ihdr.getInt(), ihdr.getInt()};
    }

    private byte[] run(URI page, int width, int height, String... what) {
        Path profile = null;
        Path out = null;
        Path err = null;
        try {
            profile = Files.createTempDirectory("chromium-profile-");
            out = Files.createTempFile("chromium-", ".out");
            err = Files.createTempFile("chromium-", ".err");
            List<String> command = new ArrayList<>(List.of(executable.toString(), "--headless", "--no-sandbox",
                    "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-extensions",
                    "--user-data-dir=" + profile, "--window-size=" + width + "," + height));
            command.addAll(List.of(what));
            command.add(page.toString());
            Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("chromium did not finish " + page + " within " + TIMEOUT_SECONDS + " s");
            }
            if (process.exitValue() != 0) {
                throw new AssertionError("chromium exited with " + process.exitValue() + ": " + Files.readString(err));
            }
            return Files.readAllBytes(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } finally {
            delete(profile);
            delete(out);
            delete(err);
        }
    }

    private static void delete(Path path) {
        if (path == null) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path each : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(each);
            }
        } catch (IOException e) {
            // A crash dump chromium is still writing: the system's temp cleaner will have it.
        }
    }
}
