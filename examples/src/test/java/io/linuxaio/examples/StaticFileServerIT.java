package io.linuxaio.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The static file server, run from {@code static-file-server.jar} inside a Linux container of the
 * test image on the host network, serving a tree that is mounted read-only on a read-only root file
 * system; driven from the host over 127.0.0.1 with real HTTP requests. Skipped, with the reason,
 * when Docker cannot be reached; fails when the server jar has not been built.
 */
@Testcontainers(disabledWithoutDocker = true)
class StaticFileServerIT {
    private static final String JAR = "/opt/linux-aio/static-file-server.jar";
    /** The bind mount: the served root is {@code /srv/www}; {@code /srv/secret.txt} lies beside it. */
    private static final String SRV = "/srv";
    private static final String ROOT = SRV + "/www";
    private static final String SECRET = "beside the root, out of reach";
    private static final Set<Integer> REFUSALS = Set.of(400, 403, 404);

    /** Request target to the bytes of the file it names. */
    private static final Map<String, byte[]> FILES = new LinkedHashMap<>();

    @TempDir
    static Path tree;

    private static GenericContainer<?> server;
    private static int port;

    @BeforeAll
    static void startServer() throws IOException {
        assertTrue(Files.isRegularFile(ExampleJars.server()),
                ExampleJars.server() + " is missing: run the container tests through mvn verify, which packages it first");
        Path www = Files.createDirectories(tree.resolve("www"));
        place(www, "hello.txt", "/hello.txt", "hello from inside the container\n".getBytes(StandardCharsets.UTF_8));
        place(www, "big.bin", "/big.bin", Pattern.bytes(0, 3 * 1024 * 1024 + 12345));
        place(www, "empty.txt", "/empty.txt", new byte[0]);
        place(www, "sub/nested.bin", "/sub/nested.bin", Pattern.bytes(7, 70_000));
        place(www, "with space.txt", "/with%20space.txt", "a name with a space\n".getBytes(StandardCharsets.UTF_8));
        Files.writeString(tree.resolve("secret.txt"), SECRET);

        port = freeLoopbackPort();
        server = TestImage.newContainer()
                .withNetworkMode("host")
                .withFileSystemBind(ExampleJars.server().toString(), JAR, BindMode.READ_ONLY)
                .withFileSystemBind(tree.toString(), SRV, BindMode.READ_ONLY)
                // Nothing is writable but /tmp, where the JVM and the native libraries unpack (so not noexec,
                // which is Docker's default for a tmpfs).
                .withCreateContainerCmdModifier(create -> create.getHostConfig().withReadonlyRootfs(true))
                .withTmpFs(Map.of("/tmp", "rw,exec,size=64m"))
                .withCommand("java", "-Xmx256m", "-Djna.tmpdir=/tmp", "-jar", JAR,
                        "--root", ROOT, "--port", Integer.toString(port), "--bind", "127.0.0.1", "--quiet")
                .waitingFor(new LoopbackPortWait(port).withStartupTimeout(Duration.ofSeconds(60)));
        server.start();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            // Whatever the server said goes to this class's report, for when a test failed.
            System.out.println("server output:\n" + server.getLogs());
            server.close();
        }
    }

    @Test
    void filesArriveByteExact() throws IOException {
        for (Map.Entry<String, byte[]> file : FILES.entrySet()) {
            LoopbackHttp.Response response = LoopbackHttp.get(port, file.getKey(), Map.of());
            assertEquals(200, response.status(), file.getKey());
            assertArrayEquals(file.getValue(), response.body(), file.getKey());
            String length = response.header("Content-Length");
            if (length != null) {
                assertEquals(file.getValue().length, Long.parseLong(length), file.getKey());
            }
        }
    }

    @Test
    void aRangeRequestGetsThatRangeOnly() throws IOException {
        byte[] big = FILES.get("/big.bin");
        LoopbackHttp.Response response = LoopbackHttp.get(port, "/big.bin", Map.of("Range", "bytes=1000-1999"));

        assertEquals(206, response.status());
        assertEquals("bytes 1000-1999/" + big.length, response.header("Content-Range"));
        assertArrayEquals(Arrays.copyOfRange(big, 1000, 2000), response.body());
    }

    @Test
    void aRevalidatedFileIsNotModified() throws IOException {
        LoopbackHttp.Response first = LoopbackHttp.get(port, "/hello.txt", Map.of());
        assertEquals(200, first.status());
        String etag = first.header("ETag");
        String lastModified = first.header("Last-Modified");
        assertTrue(etag != null || lastModified != null, "no ETag and no Last-Modified: " + first.headers());

        if (etag != null) {
            LoopbackHttp.Response again = LoopbackHttp.get(port, "/hello.txt", Map.of("If-None-Match", etag));
            assertEquals(304, again.status(), "If-None-Match: " + etag);
            assertEquals(0, again.body().length);
        }
        if (lastModified != null) {
            LoopbackHttp.Response again = LoopbackHttp.get(port, "/hello.txt", Map.of("If-Modified-Since", lastModified));
            assertEquals(304, again.status(), "If-Modified-Since: " + lastModified);
            assertEquals(0, again.body().length);
        }
    }

    @Test
    void aMissingFileIsNotFound() throws IOException {
        assertEquals(404, LoopbackHttp.get(port, "/no-such-file.txt", Map.of()).status());
        assertEquals(404, LoopbackHttp.get(port, "/sub/no-such-file.bin", Map.of()).status());
    }

    @Test
    void traversalOutOfTheRootIsRefused() throws IOException {
        List<String> attempts = List.of("/../secret.txt", "/sub/../../secret.txt", "/%2e%2e/secret.txt",
                "/%2E%2E%2Fsecret.txt", "/..%2fsecret.txt", "/sub/%2e%2e/%2e%2e/secret.txt", "//srv/secret.txt",
                "/%2fsrv%2fsecret.txt", "/..\\secret.txt");
        for (String target : attempts) {
            LoopbackHttp.Response response = LoopbackHttp.get(port, target, Map.of());
            assertTrue(REFUSALS.contains(response.status()), target + " gave " + response.status());
            assertFalse(response.bodyText().contains(SECRET), target + " leaked the file beside the root");
        }
    }

    @Test
    void theRootIsReadOnlyAndStillServed() throws IOException, InterruptedException {
        ExecResult intoRoot = server.execInContainer("sh", "-c", "echo probe > " + ROOT + "/probe");
        assertNotEquals(0, intoRoot.getExitCode(), "the served root is writable");
        assertTrue(intoRoot.getStderr().contains("Read-only file system"), intoRoot.getStderr());
        ExecResult intoImage = server.execInContainer("sh", "-c", "echo probe > /probe");
        assertNotEquals(0, intoImage.getExitCode(), "the container's root file system is writable");

        LoopbackHttp.Response response = LoopbackHttp.get(port, "/sub/nested.bin", Map.of());
        assertEquals(200, response.status());
        assertArrayEquals(FILES.get("/sub/nested.bin"), response.body());
    }

    private static void place(Path www, String name, String target, byte[] bytes) throws IOException {
        Path file = www.resolve(name);
        Files.createDirectories(file.getParent());
        Files.write(file, bytes);
        FILES.put(target, bytes);
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }
}
