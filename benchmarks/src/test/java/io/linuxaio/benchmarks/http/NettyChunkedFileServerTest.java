package io.linuxaio.benchmarks.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NettyChunkedFileServerTest {

    @TempDir Path root;
    private NettyChunkedFileServer server;
    private byte[] large;

    @BeforeEach
    void start() throws Exception {
        large = new byte[300_000]; // many 8 KiB chunks and a short last one
        new Random(42).nextBytes(large);
        Files.write(root.resolve("large.bin"), large);
        Files.writeString(root.resolve("small.txt"), "hello");
        Files.createDirectory(root.resolve("dir"));
        server = NettyChunkedFileServer.start(root, "127.0.0.1", 0, 2, 8192);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void servesFilesWithContentLengthOnOneKeepAliveConnection() throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write(get("/large.bin").getBytes(StandardCharsets.US_ASCII));
            Response first = Response.read(in);
            out.write(get("/small.txt").getBytes(StandardCharsets.US_ASCII));
            Response second = Response.read(in);

            assertEquals(200, first.status);
            assertEquals(String.valueOf(large.length), first.headers.get("content-length"));
            assertArrayEquals(large, first.body);
            assertEquals(200, second.status);
            assertEquals("5", second.headers.get("content-length"));
            assertEquals("hello", new String(second.body, StandardCharsets.US_ASCII));
        }
    }

    @Test
    void withFileRegionsTheSameBytesGoOutBySendfile() throws Exception {
        try (NettyChunkedFileServer regions = NettyChunkedFileServer.start(root, "127.0.0.1", 0, 1, 8192, true);
             Socket socket = new Socket("127.0.0.1", regions.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write(get("/large.bin").getBytes(StandardCharsets.US_ASCII));
            Response first = Response.read(in);
            out.write(get("/small.txt").getBytes(StandardCharsets.US_ASCII));
            Response second = Response.read(in);
            assertEquals(200, first.status);
            assertArrayEquals(large, first.body);
            assertEquals("hello", new String(second.body, StandardCharsets.US_ASCII));
        }
    }

    @Test
    void missingFilesAndDirectoriesAre404() throws IOException {
        assertEquals(404, exchange(get("/nothing-here")).status);
        assertEquals(404, exchange(get("/dir")).status);
    }

    @Test
    void pathsLeavingTheRootAreRefused() throws IOException {
        assertEquals(403, exchange(get("/../small.txt")).status);
        assertEquals(403, exchange(get("/%2e%2e/etc/passwd")).status);
    }

    @Test
    void otherMethodsAre405() throws IOException {
        String post = "POST /small.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n";
        assertEquals(405, exchange(post).status);
    }

    @Test
    void closesTheConnectionWhenTheClientAsks() throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(
                    "GET /small.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            assertEquals("hello", new String(Response.read(in).body, StandardCharsets.US_ASCII));
            assertEquals(-1, in.read());
        }
    }

    @Test
    void refusesARootThatIsNotADirectory() {
        assertThrows(
                IllegalArgumentException.class,
                () -> NettyChunkedFileServer.start(root.resolve("small.txt"), "127.0.0.1", 0, 1, 8192));
    }

    private Response exchange(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            return Response.read(socket.getInputStream());
        }
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    }

    /** One HTTP/1.1 response read off a socket, framed by its Content-Length. */
    private static final class Response {
        final int status;
        final Map<String, String> headers;
        final byte[] body;

        private Response(int status, Map<String, String> headers, byte[] body) {
            this.status = status;
            this.headers = headers;
            this.body = body;
        }

        static Response read(InputStream in) throws IOException {
            String statusLine = line(in);
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            Map<String, String> headers = new TreeMap<>();
            for (String line = line(in); !line.isEmpty(); line = line(in)) {
                int colon = line.indexOf(':');
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
            assertTrue(headers.containsKey("content-length"), "no Content-Length in " + headers);
            byte[] body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
            return new Response(status, headers, body);
        }

        private static String line(InputStream in) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    throw new IOException("connection closed inside a response head");
                }
                if (b != '\r') {
                    bytes.write(b);
                }
            }
            return bytes.toString(StandardCharsets.US_ASCII);
        }
    }

}
