package io.linuxaio.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.linuxaio.examples.http.FileServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server against real clients: Debian's curl (HTTP/2 over TLS by ALPN, h2c by upgrade and by
 * prior knowledge) and nghttp2's h2load. They are skipped where the tools are missing, except
 * under CI ({@code CI=true}), where {@code .ci/run} installs them and a missing one fails.
 */
class RealClientsTest {
    private static Path root;
    private static byte[] data;
    private static byte[] script;
    private static FileServer plain;
    private static FileServer tls;

    @BeforeAll
    static void start() throws Exception {
        root = Files.createTempDirectory("real-clients-");
        data = new byte[1 << 20];
        new Random(11).nextBytes(data);
        Files.write(root.resolve("data.bin"), data);
        script = "console.log('hello, world');\n".repeat(100).getBytes(StandardCharsets.UTF_8);
        Files.write(root.resolve("app.js"), script);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(script);
        }
        Files.write(root.resolve("app.js.gz"), gz.toByteArray());
        plain = FileServer.builder(root).port(0).threads(2).start();
        tls = FileServer.builder(root).port(0).threads(2).tls(TlsContexts.selfSigned(Options.DEFAULT_TLS_PROTOCOLS)).start();
    }

    @AfterAll
    static void stop() throws IOException {
        try {
            if (plain != null) {
                plain.close();
            }
            if (tls != null) {
                tls.close();
            }
        } finally {
            try (var files = Files.list(root)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(root);
        }
    }

    private static boolean installed(String tool) {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":"))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, tool)));
    }

    /** What a tool printed on stdout, with stderr after it; fails unless it exits 0 within a minute. */
    private static String run(String... command) throws Exception {
        String missing = command[0] + " is not installed (apt-get install curl nghttp2-client)";
        if ("true".equals(System.getenv("CI"))) {
            assertTrue(installed(command[0]), missing + ": .ci/run installs it, and CI skips no test");
        }
        assumeTrue(installed(command[0]), missing);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " did not finish");
        assertEquals(0, process.exitValue(), String.join(" ", command) + ":\n" + output);
        return output;
    }

    /** curl's {@code -w} summary of a download to {@code out}: "VERSION STATUS". */
    private static String curl(Path out, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "30", "-o", out.toString(),
                "-w", "%{http_version} %{http_code}"));
        command.addAll(List.of(args));
        return run(command.toArray(String[]::new)).strip();
    }

    private static String url(FileServer server, String path) {
        return server.uri().resolve(path).toString();
    }

    @Test
    void curlByPriorKnowledgeGetsTheFileOverH2c() throws Exception {
        Path out = Files.createTempFile(root, "out", ".bin");
        assertEquals("2 200", curl(out, "--http2-prior-knowledge", url(plain, "/data.bin")));
        assertArrayEquals(data, Files.readAllBytes(out));
        assertEquals("2 206", curl(out, "--http2-prior-knowledge", "-r", "1000-1999", url(plain, "/data.bin")));
        assertArrayEquals(Arrays.copyOfRange(data, 1000, 2000), Files.readAllBytes(out));
    }

    @Test
    void curlUpgradesToH2cAndGetsTheFile() throws Exception {
        Path out = Files.createTempFile(root, "out", ".bin");
        assertEquals("2 200", curl(out, "--http2", url(plain, "/data.bin")));
        assertArrayEquals(data, Files.readAllBytes(out));
    }

    @Test
    void curlOverTlsChoosesH2ByAlpnAndHttp11WhenAsked() throws Exception {
        Path out = Files.createTempFile(root, "out", ".bin");
        assertEquals("2 200", curl(out, "-k", "--http2", url(tls, "/data.bin")));
        assertArrayEquals(data, Files.readAllBytes(out));
        assertEquals("1.1 200", curl(out, "-k", "--http1.1", url(tls, "/data.bin")));
        assertArrayEquals(data, Files.readAllBytes(out));
    }

    @Test
    void curlDecodesThePrecompressedSiblingItIsSent() throws Exception {
        Path out = Files.createTempFile(root, "out", ".js");
        String summary = run("curl", "-sS", "--max-time", "30", "--http2-prior-knowledge", "--compressed",
                "-o", out.toString(), "-w", "%{http_version} %{http_code} %{size_download} %{content_type}",
                url(plain, "/app.js")).strip();
        assertEquals("2 200 " + Files.size(root.resolve("app.js.gz")) + " text/javascript; charset=utf-8", summary);
        assertArrayEquals(script, Files.readAllBytes(out));
    }

    /**
     * Netty's own client will not send what the server's SETTINGS refuse; curl does. Headers a
     * little past the limit get 431, as over HTTP/1.1; far past it (more than Netty's margin of a
     * quarter), the connection ends with GOAWAY, which curl reports as a framing error (16).
     */
    @Test
    void headersPastTheLimitAre431AndFarPastItEndTheConnection() throws Exception {
        Path out = Files.createTempFile(root, "out", ".html");
        String[] big = {"-H", "X-Big-1: " + "b".repeat(9_000), "-H", "X-Big-2: " + "b".repeat(9_000)};
        List<String> h2 = new ArrayList<>(List.of("--http2-prior-knowledge"));
        h2.addAll(List.of(big));
        h2.add(url(plain, "/data.bin"));
        assertEquals("2 431", curl(out, h2.toArray(String[]::new)));
        assertEquals("1.1 431", curl(out, "--http1.1", "-H", "X-Big: " + "b".repeat(40_000), url(plain, "/data.bin")));
        Process huge = new ProcessBuilder("curl", "-sS", "--max-time", "30", "-o", out.toString(), "--http2-prior-knowledge",
                "-H", "X-Big: " + "b".repeat(40_000), url(plain, "/data.bin")).redirectErrorStream(true).start();
        String said = new String(huge.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(huge.waitFor(60, TimeUnit.SECONDS));
        assertEquals(16, huge.exitValue(), said);
        assertEquals("2 200", curl(out, "--http2-prior-knowledge", url(plain, "/app.js")), "the server goes on");
    }

    @Test
    void h2loadGetsEveryResponseOverH2cAndH2() throws Exception {
        // Many streams at once on each connection: small files, then 1 MiB ones paced by flow control.
        for (String url : List.of(url(plain, "/app.js"), url(tls, "/app.js"), url(plain, "/data.bin"), url(tls, "/data.bin"))) {
            String report = run("h2load", "-n", "64", "-c", "2", "-m", "16", url);
            assertTrue(report.contains("64 succeeded, 0 failed, 0 errored, 0 timeout"), url + ":\n" + report);
            assertTrue(report.contains("status codes: 64 2xx"), url + ":\n" + report);
        }
    }
}
