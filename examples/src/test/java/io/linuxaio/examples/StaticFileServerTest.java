package io.linuxaio.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as a user runs it: a separate JVM, its exit status, its output, its signals. */
class StaticFileServerTest {
    private static final Pattern SERVING = Pattern.compile("Serving (.+?)( \\(the demo site\\))? at (http\\S+)");

    private Process process;
    private Path stdout;

    @AfterEach
    void killLeftovers() throws InterruptedException, IOException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        if (stdout != null) {
            Files.deleteIfExists(stdout);
        }
    }

    private Process start(String... args) throws IOException {
        return start(builder -> { }, args);
    }

    /** Starts the server in a JVM of its own; {@code setUp} may change the process's environment first. */
    private Process start(java.util.function.Consumer<ProcessBuilder> setUp, String... args) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String[] command = new String[args.length + 4];
        command[0] = java;
        command[1] = "-cp";
        command[2] = System.getProperty("java.class.path");
        command[3] = StaticFileServer.class.getName();
        System.arraycopy(args, 0, command, 4, args.length);
        stdout = Files.createTempFile("static-file-server-", ".out");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(stdout.toFile());
        setUp.accept(builder);
        process = builder.start();
        return process;
    }

    /** The C locale, as under systemd or in most containers: the JVM's own file-name charset is then ASCII. */
    private static void cLocale(ProcessBuilder builder) {
        builder.environment().keySet().removeIf(name -> name.equals("LANG") || name.startsWith("LC_"));
        builder.environment().put("LC_ALL", "C");
    }

    @Test
    void namesAreServedByTheirBytesUnderTheCLocale() throws Exception {
        String jnu = run(StaticFileServerTest::cLocale,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XshowSettings:properties", "-version");
        assertTrue(jnu.contains("sun.jnu.encoding = ANSI_X3.4-1968"), "the child's file-name charset is ASCII: " + jnu);
        Path root = Files.createTempDirectory("c-locale-site-");
        try {
            // Made by the shell byte for byte: café.txt in UTF-8, and caf\xE9.txt, which is not UTF-8.
            run(builder -> { }, "sh", "-c",
                    "cd \"$0\" && printf 'utf-8 name' > \"$(printf 'caf\\303\\251.txt')\" "
                            + "&& printf 'latin-1 name' > \"$(printf 'caf\\351.txt')\"", root.toString());
            Process p = start(StaticFileServerTest::cLocale, "--root", root.toString(), "--port", "0", "--quiet");
            URI uri = URI.create(serving(new Lines(stdout)).group(3));
            LoopbackHttp.Response utf8 = LoopbackHttp.get(uri.getPort(), "/caf%C3%A9.txt", java.util.Map.of());
            assertEquals(200, utf8.status());
            assertEquals("utf-8 name", new String(utf8.body(), StandardCharsets.UTF_8));
            LoopbackHttp.Response listing = LoopbackHttp.get(uri.getPort(), "/", java.util.Map.of());
            String html = new String(listing.body(), StandardCharsets.UTF_8);
            assertTrue(html.contains("<a href=\"caf%C3%A9.txt\">caf\u00e9.txt</a>"), html);
            assertTrue(html.contains("<a href=\"caf%E9.txt\">caf\uFFFD.txt</a>"), html);
            LoopbackHttp.Response latin1 = LoopbackHttp.get(uri.getPort(), "/caf%E9.txt", java.util.Map.of());
            assertEquals(200, latin1.status());
            assertEquals("latin-1 name", new String(latin1.body(), StandardCharsets.UTF_8));
            p.destroy();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue());
        } finally {
            run(builder -> { }, "rm", "-rf", "--", root.toString());
        }
    }

    @Test
    void aRootTheLocaleCannotNameIsAUsageError() throws Exception {
        Process p = start(StaticFileServerTest::cLocale, "--root", "/srv/caf\u00e9", "--port", "0");
        String err = read(p.getErrorStream());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(StaticFileServer.USAGE_ERROR, p.exitValue(), err);
        assertTrue(err.startsWith("static-file-server: --root /srv/caf"), err);
        assertTrue(err.contains("LANG=C.UTF-8"), err);
    }

    /** Runs a process to its end and returns its output; fails unless it exits 0. */
    private static String run(java.util.function.Consumer<ProcessBuilder> setUp, String... command)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        setUp.accept(builder);
        Process p = builder.start();
        String output = read(p.getInputStream());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), builder.command().toString());
        assertEquals(0, p.exitValue(), builder.command() + ": " + output);
        return output;
    }

    private static String read(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void aBadArgumentPrintsTheProblemAndTheUsageAndExits2() throws Exception {
        Process p = start("--port", "nope");
        String err = read(p.getErrorStream());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(StaticFileServer.USAGE_ERROR, p.exitValue());
        assertTrue(err.startsWith("static-file-server: --port needs a number, not 'nope'"), err);
        assertTrue(err.contains("Usage: java -jar static-file-server.jar"), err);
    }

    @Test
    void aRootThatIsNotADirectoryIsRefusedAtStart(@TempDir Path dir) throws Exception {
        Process p = start("--root", dir.resolve("missing").toString(), "--port", "0");
        String err = read(p.getErrorStream());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(StaticFileServer.USAGE_ERROR, p.exitValue());
        assertTrue(err.contains("is not a directory"), err);
    }

    @Test
    void anAddressThatCannotBeBoundIsRefusedWithStatus1(@TempDir Path dir) throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            Process p = start("--root", dir.toString(), "--port", Integer.toString(taken.getLocalPort()));
            String err = read(p.getErrorStream());
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(StaticFileServer.START_ERROR, p.exitValue());
            assertTrue(err.startsWith("static-file-server: cannot start: cannot listen on 127.0.0.1:" + taken.getLocalPort()
                    + ": "), err);
            assertFalse(err.contains("null"), err);
        }
    }

    @Test
    void aBindAddressThatCannotBeResolvedIsNamed(@TempDir Path dir) throws Exception {
        Process p = start("--root", dir.toString(), "--port", "0", "--bind", "999.1.1.1");
        String err = read(p.getErrorStream());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(StaticFileServer.START_ERROR, p.exitValue());
        assertTrue(err.startsWith("static-file-server: cannot start: cannot resolve the address to listen on, 999.1.1.1"),
                err);
    }

    @Test
    void helpPrintsTheUsageAndExits0() throws Exception {
        Process p = start("--help");
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String out = Files.readString(stdout);
        assertEquals(0, p.exitValue());
        assertTrue(out.contains("--aio-threads N"), out);
    }

    @Test
    void withNoRootItServesTheDemoSiteAndRemovesItsCopyOnSigterm() throws Exception {
        Process p = start("--port", "0", "--quiet");
        Lines out = new Lines(stdout);
        Matcher serving = serving(out);
        assertNotNull(serving.group(2), serving.group());
        Path copy = Path.of(serving.group(1));
        assertTrue(Files.isRegularFile(copy.resolve("index.html")));
        URI uri = URI.create(serving.group(3));
        assertEquals("127.0.0.1", uri.getHost());
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String response = read(socket.getInputStream());
            assertTrue(response.startsWith("HTTP/1.1 200 OK"), response);
            assertTrue(response.contains("It works."), response);
            assertTrue(response.contains(" " + uri + "large.bin</code>"), "the curl hint names the real URL: " + response);
            assertFalse(response.contains(":8080"), response);
        }
        p.destroy(); // SIGTERM
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        assertFalse(Files.exists(copy), "the demo site copy is removed");
    }

    @Test
    void sigtermFinishesTheResponseInFlightThenExits0(@TempDir Path root) throws Exception {
        long size = 64L << 20;
        try (RandomAccessFile big = new RandomAccessFile(root.resolve("big.bin").toFile(), "rw")) {
            big.setLength(size);
        }
        Process p = start("--root", root.toString(), "--port", "0");
        Lines out = new Lines(stdout);
        URI uri = URI.create(serving(out).group(3));
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(16 * 1024);
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 10_000);
            socket.setSoTimeout(60_000);
            OutputStream request = socket.getOutputStream();
            request.write("GET /big.bin HTTP/1.1\r\nHost: t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            String head = SocketHttp.head(in);
            assertTrue(head.startsWith("HTTP/1.1 200 OK"), head);
            assertEquals(1 << 20, in.readNBytes(1 << 20).length);

            // SIGTERM while most of the file is still to be sent, to a client that reads no more
            // until then: the rest arrives only if the server waits for the response in flight.
            p.destroy();

            long total = 1 << 20;
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                total += n;
            }
            assertEquals(size, total, "the whole body arrived before the connection closed");
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        String rest = out.rest();
        assertTrue(rest.contains("\"GET /big.bin HTTP/1.1\" 200 " + size), rest);
        assertTrue(rest.contains("Stopped."), rest);
    }

    @Test
    void metricsAndStatusLinesTellWhatWasServedAndTheLastComesAtStop(@TempDir Path root) throws Exception {
        Files.writeString(root.resolve("hello.txt"), "hello\n");
        Path stderr = Files.createTempFile(root, "stderr-", ".txt");
        start(builder -> builder.redirectError(stderr.toFile()), "--root", root.toString(), "--port", "0",
                "--metrics", "--metrics-port", "0", "--status-interval", "1", "--log-format", "combined");
        Lines out = new Lines(stdout);
        URI uri = URI.create(serving(out).group(3));
        String metricsLine = out.next();
        Matcher metrics = Pattern.compile("Metrics at (http://127\\.0\\.0\\.1:(\\d+)/metrics)").matcher(metricsLine);
        assertTrue(metrics.matches(), metricsLine);
        assertFalse(Integer.parseInt(metrics.group(2)) == uri.getPort(), "a port of its own");
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            socket.getOutputStream().write(("GET /hello.txt HTTP/1.1\r\nHost: t\r\nUser-Agent: probe\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            assertTrue(read(socket.getInputStream()).startsWith("HTTP/1.1 200 OK"));
        }
        try (Socket socket = new Socket("127.0.0.1", Integer.parseInt(metrics.group(2)))) {
            socket.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String scrape = read(socket.getInputStream());
            assertTrue(scrape.startsWith("HTTP/1.1 200 OK"), scrape);
            assertTrue(scrape.contains("\nlinuxaio_workers "), scrape);
        }
        Pattern oneServed = Pattern.compile("static-file-server: status: connections=\\d+ responses=1 \\(1xx=0 2xx=1 3xx=0 "
                + "4xx=0 5xx=0\\) sent=6 bytes; engine: nreqs=\\d+ nready=\\d+ npending=\\d+ nthreads=\\d+; inline: "
                + "reads=\\d+ readsBatched=\\d+ readsToPool=\\d+ opens=\\d+ opensBatched=\\d+ opensToPool=\\d+ stats=\\d+ closes=\\d+ sendfiles=\\d+ "
                + "sendfilesNotCached=\\d+ refused=0 slow=\\d+");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (Files.readString(stderr).lines().noneMatch(line -> oneServed.matcher(line).matches())) {
            assertTrue(System.nanoTime() < deadline, "no status line within a minute: " + Files.readString(stderr));
            java.util.concurrent.locks.LockSupport.parkNanos(50_000_000);
        }
        long periodic = Files.readString(stderr).lines().filter(line -> line.contains(" status: ")).count();

        process.destroy(); // SIGTERM
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue());
        java.util.List<String> lines = Files.readString(stderr).lines().toList();
        String last = lines.get(lines.size() - 1);
        assertTrue(oneServed.matcher(last).matches(), last);
        assertTrue(last.contains(" nreqs=0 nready=0 npending=0 nthreads=0;"), "the engine has drained and stopped: " + last);
        assertTrue(lines.stream().filter(line -> line.contains(" status: ")).count() > periodic, "one more at stop");
        assertTrue(out.rest().contains("\"GET /hello.txt HTTP/1.1\" 200 6 \"-\" \"probe\""), "the combined format");
    }

    @Test
    void tlsAcceptsOnlyTls13ByDefault(@TempDir Path root) throws Exception {
        Files.writeString(root.resolve("hello.txt"), "hello over TLS\n");
        start("--root", root.toString(), "--port", "0", "--quiet", "--tls");
        URI uri = URI.create(serving(new Lines(stdout)).group(3));
        assertEquals("https", uri.getScheme());
        assertThrows(javax.net.ssl.SSLException.class, () -> {
            try (javax.net.ssl.SSLSocket socket = tlsClient(uri, "TLSv1.2")) {
                socket.startHandshake();
            }
        }, "a TLS 1.2 client is refused");
        try (javax.net.ssl.SSLSocket socket = tlsClient(uri, "TLSv1.3", "TLSv1.2")) {
            socket.startHandshake();
            assertEquals("TLSv1.3", socket.getSession().getProtocol());
            assertTrue(SocketHttp.get(socket, "/hello.txt").startsWith("HTTP/1.1 200 OK"));
        }
    }

    @Test
    void tls12WhenAskedForIsServedButAClientCannotRenegotiate(@TempDir Path root) throws Exception {
        Files.writeString(root.resolve("hello.txt"), "hello over TLS\n");
        start("--root", root.toString(), "--port", "0", "--quiet", "--tls", "--tls-protocols", "TLSv1.3,TLSv1.2");
        URI uri = URI.create(serving(new Lines(stdout)).group(3));
        try (javax.net.ssl.SSLSocket socket = tlsClient(uri, "TLSv1.2")) {
            socket.startHandshake();
            assertEquals("TLSv1.2", socket.getSession().getProtocol());
            assertTrue(SocketHttp.get(socket, "/hello.txt").startsWith("HTTP/1.1 200 OK"));
            // A second handshake on TLS 1.2 is a renegotiation: the server refuses it.
            assertThrows(IOException.class, () -> {
                socket.startHandshake();
                SocketHttp.get(socket, "/hello.txt");
            });
        }
        try (javax.net.ssl.SSLSocket socket = tlsClient(uri, "TLSv1.2")) {
            socket.startHandshake();
            assertTrue(SocketHttp.get(socket, "/hello.txt").startsWith("HTTP/1.1 200 OK"), "the server goes on");
        }
    }

    /** A TLS client of the given versions that trusts any certificate: the server's is self-signed. */
    private static javax.net.ssl.SSLSocket tlsClient(URI uri, String... protocols) throws Exception {
        javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
        context.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
            @Override
            public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String auth) {}

            @Override
            public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String auth) {}

            @Override
            public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                return new java.security.cert.X509Certificate[0];
            }
        }}, null);
        javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) context.getSocketFactory()
                .createSocket(uri.getHost(), uri.getPort());
        socket.setSoTimeout(30_000);
        socket.setEnabledProtocols(protocols);
        return socket;
    }

    private static Matcher serving(Lines out) throws IOException {
        String line = out.next();
        assertNotNull(line, "the server printed nothing");
        Matcher matcher = SERVING.matcher(line);
        assertTrue(matcher.matches(), line);
        return matcher;
    }

    /**
     * The child's stdout, sent to a file: reading a child's pipe while it exits can lose the last
     * lines (the JDK swaps the pipe for what it drained), and the last lines are the ones tested.
     */
    private static final class Lines {
        private final Path file;
        private int taken;

        Lines(Path file) {
            this.file = file;
        }

        /** The next complete line, waiting up to a minute for it. */
        String next() throws IOException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (;;) {
                java.util.List<String> lines = complete();
                if (lines.size() > taken) {
                    return lines.get(taken++);
                }
                if (System.nanoTime() > deadline) {
                    return null;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
            }
        }

        /** Every line after those taken; call once the child has exited. */
        String rest() throws IOException {
            java.util.List<String> lines = complete();
            return String.join("\n", lines.subList(taken, lines.size()));
        }

        private java.util.List<String> complete() throws IOException {
            String text = Files.readString(file);
            String whole = text.substring(0, text.lastIndexOf('\n') + 1);
            return whole.isEmpty() ? java.util.List.of() : java.util.List.of(whole.split("\n"));
        }
    }
}
