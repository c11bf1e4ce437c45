package io.linuxaio.examples.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Starts one server per test class on a random port of 127.0.0.1 over a fresh {@link TestSite}. */
abstract class ServerTestBase {
    static final Duration DEADLINE = Duration.ofSeconds(30);
    static final int CHUNK_SIZE = 64 * 1024;
    static final int CHUNKS_IN_FLIGHT = 4;

    static TestSite site;
    static FileServer server;
    static HttpClient client;
    static HttpClient h2cClient;
    static H2Client priorKnowledge;
    static BlockingQueue<String> accessLog;

    @BeforeAll
    static void startServer() throws Exception {
        start(builder -> builder);
    }

    /**
     * Starts the server with the common settings and then {@code settings}; a subclass that needs
     * others declares its own {@code static startServer()}. JUnit runs this class's too (a static
     * method is hidden, not overridden), so a server already started is stopped first: else it
     * and its site would be left behind.
     */
    static void start(UnaryOperator<FileServer.Builder> settings) throws Exception {
        if (server != null || site != null) {
            stopServer();
        }
        site = new TestSite();
        accessLog = new LinkedBlockingQueue<>();
        server = settings.apply(FileServer.builder(site.root).port(0).threads(2).aioThreads(4)
                .chunks(CHUNK_SIZE, CHUNKS_IN_FLIGHT).accessLog(accessLog::add)).start();
        client = jdkClient(HttpClient.Version.HTTP_1_1);
        h2cClient = jdkClient(HttpClient.Version.HTTP_2); // over http://, it asks to upgrade to h2c
    }

    private static HttpClient jdkClient(HttpClient.Version version) {
        return HttpClient.newBuilder().version(version)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build();
    }

    @AfterAll
    static void stopServer() throws IOException {
        try {
            if (server != null) {
                server.close();
            }
        } finally {
            server = null;
            client = null;
            h2cClient = null;
            if (priorKnowledge != null) {
                priorKnowledge.close();
                priorKnowledge = null;
            }
            if (site != null) {
                site.close();
                site = null;
            }
        }
    }

    static InetSocketAddress address() {
        return server.localAddress();
    }

    static URI uri(String path) {
        return server.uri().resolve(path);
    }

    /** The protocol {@link #get} and {@link #send} speak: HTTP/1.1 unless a suite runs over several. */
    Protocol protocol() {
        return Protocol.HTTP_1_1;
    }

    /** A GET with extra headers given as name, value pairs. */
    HttpResponse<byte[]> get(String path, String... headers) throws IOException, InterruptedException {
        return send("GET", path, headers);
    }

    /**
     * A request in this suite's {@link #protocol()}; the response's version is checked, so a
     * suite meant for HTTP/2 cannot pass over HTTP/1.1 unnoticed.
     */
    HttpResponse<byte[]> send(String method, String path, String... headers) throws IOException, InterruptedException {
        Protocol protocol = protocol();
        HttpResponse<byte[]> response = switch (protocol) {
            case HTTP_1_1 -> send(client, method, path, headers);
            case H2C_UPGRADE -> send(h2cClient, method, path, headers);
            case H2C_PRIOR_KNOWLEDGE -> priorKnowledge().send(method, path, headers);
        };
        HttpClient.Version expected = protocol == Protocol.HTTP_1_1 ? HttpClient.Version.HTTP_1_1 : HttpClient.Version.HTTP_2;
        if (response.version() != expected) {
            throw new AssertionError(method + " " + path + " was answered over " + response.version() + ", not " + expected);
        }
        return response;
    }

    private static HttpResponse<byte[]> send(HttpClient client, String method, String path, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.uri() + path.substring(1)))
                .timeout(DEADLINE)
                .method(method, HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** The suite's HTTP/2 connection by prior knowledge, opened at first use. */
    static synchronized H2Client priorKnowledge() throws IOException {
        if (priorKnowledge == null || !priorKnowledge.connection.isActive()) {
            if (priorKnowledge != null) {
                priorKnowledge.close();
            }
            priorKnowledge = new H2Client(address());
        }
        return priorKnowledge;
    }

    static RawHttp raw() throws IOException {
        return new RawHttp(address());
    }

    /** Waits for a condition, failing after the deadline. */
    static void await(String what, BooleanSupplier condition) {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not true within " + DEADLINE + ": " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // what it looks at sends no notice
        }
    }

    /** Writes {@code content} as {@code name} under the root and reads it once, so all of it is in the page cache. */
    static void writeCached(String name, byte[] content) throws IOException {
        Files.write(site.root.resolve(name), content);
        Files.readAllBytes(site.root.resolve(name));
    }

    /** One of the engine's counters as the server's status line shows it ({@code reads=12}). */
    static long statusCounter(String name) {
        String line = server.statusLine();
        java.util.regex.Matcher value = java.util.regex.Pattern.compile(" " + name + "=(\\d+)").matcher(line);
        if (!value.find()) {
            throw new AssertionError("no " + name + " in the status line: " + line);
        }
        return Long.parseLong(value.group(1));
    }

    /** A field {@code server} keeps to itself (its channels, its loops), reached by reflection. */
    static <T> T serverField(FileServer server, String name, Class<T> type) {
        try {
            java.lang.reflect.Field field = FileServer.class.getDeclaredField(name);
            field.setAccessible(true);
            return type.cast(field.get(server));
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("FileServer." + name + ": " + e, e);
        }
    }

    /** Descriptors of this process that are files under the served root. */
    static long openFilesUnderRoot() {
        return openFilesUnderRoot(server);
    }

    /** Descriptors of this process that are files or directories under {@code server}'s root. */
    static long openFilesUnderRoot(FileServer server) {
        String root = server.root().toString() + "/";
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().startsWith(root);
                } catch (IOException gone) {
                    return false;
                }
            }).count();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
