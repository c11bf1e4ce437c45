package io.linuxaio.examples.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2Settings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What HTTP/2 alone has: flow control as the backpressure of file reads, streams that end on
 * their own, the server's limits, hostile frames and targets, and a stop that lets streams finish.
 */
class Http2Test extends ServerTestBase {

    @AfterEach
    void serverStillServes() throws Exception {
        try (H2Client h2 = new H2Client(address())) {
            HttpResponse<byte[]> response = h2.send("GET", "/hello.txt");
            assertEquals(200, response.statusCode());
            assertEquals("hello, world\n", new String(response.body(), StandardCharsets.UTF_8));
        }
    }

    /** A client that does not read one stream: a window of 64 KiB, and a connection window large enough for other streams. */
    private static H2Client stallingClient() throws IOException {
        H2Client h2 = new H2Client(address(), null, Http2Settings.defaultSettings().initialWindowSize(65_535));
        h2.connection.writeAndFlush(new DefaultHttp2WindowUpdateFrame(64 << 20)); // connection window, stream 0
        return h2;
    }

    @Test
    void aStreamWhoseWindowIsFullStopsTheFileReadsAndHoldsUpNoOtherStream() throws Exception {
        try (H2Client h2 = stallingClient()) {
            long before = server.probes().streamFileBytes.sum();
            H2Client.Pending stalled = h2.request("GET", "/data.bin", stream -> stream.config().setAutoRead(false));
            await("the stalled stream's first chunk is handed on", () -> server.probes().streamFileBytes.sum() > before);
            // Another stream on the same connection is answered while the first one waits.
            HttpResponse<byte[]> other = h2.send("GET", "/hello.txt");
            assertEquals("hello, world\n", new String(other.body(), StandardCharsets.UTF_8));
            long handed = server.probes().streamFileBytes.sum() - before - other.body().length;
            assertTrue(handed <= (long) CHUNKS_IN_FLIGHT * CHUNK_SIZE, handed + " bytes of a 1 MiB file read for a stream "
                    + "whose window is 64 KiB: the window should have stopped the reads at " + CHUNKS_IN_FLIGHT + " chunks");
            assertFalse(stalled.response().isDone());
            // Reading again opens the window: the rest comes, byte exact.
            stalled.stream().eventLoop().execute(() -> {
                stalled.stream().config().setAutoRead(true);
                stalled.stream().read();
            });
            assertArrayEquals(site.data, stalled.await().body());
        }
    }

    @Test
    void aStreamResetMidFileClosesTheFileAndLeavesTheConnectionUp() throws Exception {
        try (H2Client h2 = stallingClient()) {
            long before = server.probes().streamFileBytes.sum();
            H2Client.Pending stalled = h2.request("GET", "/big.bin", stream -> stream.config().setAutoRead(false));
            await("the file is being sent", () -> server.probes().streamFileBytes.sum() > before);
            stalled.stream().close(); // RST_STREAM(CANCEL)
            await("the reset stream's file is closed", () -> openFilesUnderRoot() == 0);
            assertEquals(200, h2.send("GET", "/hello.txt").statusCode());
        }
    }

    /** A directory whose listing is far larger than a stream's window. */
    private static String bigDirectory() throws IOException {
        java.nio.file.Path big = site.root.resolve("h2-big");
        if (!java.nio.file.Files.isDirectory(big)) {
            java.nio.file.Files.createDirectory(big);
            for (int i = 0; i < LISTED; i++) {
                java.nio.file.Files.createFile(big.resolve(String.format("%05d", i) + ListingTest.PADDING));
            }
        }
        return "/h2-big/";
    }

    static final int LISTED = 5_000;

    @Test
    void aListingWaitsForItsStreamsWindowAndHoldsUpNoOtherStream() throws Exception {
        String path = bigDirectory();
        try (H2Client h2 = stallingClient()) {
            long before = server.probes().listingStats.sum();
            H2Client.Pending stalled = h2.request("GET", path, stream -> stream.config().setAutoRead(false));
            await("the listing has begun", () -> server.probes().listingStats.sum() > before);
            HttpResponse<byte[]> other = h2.send("GET", "/hello.txt");
            assertEquals("hello, world\n", new String(other.body(), StandardCharsets.UTF_8));
            long statsSoFar = server.probes().listingStats.sum() - before;
            assertTrue(statsSoFar < LISTED, "the listing waits for its window: " + statsSoFar + " of " + LISTED + " stat'ed");
            stalled.stream().eventLoop().execute(() -> {
                stalled.stream().config().setAutoRead(true);
                stalled.stream().read();
            });
            String html = new String(stalled.await().body(), StandardCharsets.UTF_8);
            java.util.regex.Matcher rows = java.util.regex.Pattern.compile("<a href=\"(\\d{5})" + java.util.regex.Pattern.quote(
                    ListingTest.PADDING) + "\">").matcher(html);
            int count = 0;
            while (rows.find()) {
                assertEquals(String.format("%05d", count), rows.group(1), "rows come in name order");
                count++;
            }
            assertEquals(LISTED, count);
            assertEquals(LISTED, server.probes().listingStats.sum() - before);
        }
    }

    @Test
    void aListingWhoseStreamIsResetStopsStatingEntries() throws Exception {
        String path = bigDirectory();
        try (H2Client h2 = stallingClient()) {
            long before = server.probes().listingStats.sum();
            H2Client.Pending stalled = h2.request("GET", path, stream -> stream.config().setAutoRead(false));
            await("the listing has begun", () -> server.probes().listingStats.sum() > before);
            stalled.stream().close(); // RST_STREAM
            await("the listing's directory is closed", () -> openFilesUnderRoot() == 0);
            long stated = server.probes().listingStats.sum() - before;
            assertTrue(stated < LISTED, stated + " of " + LISTED + " entries stat'ed for a stream that was reset");
            assertEquals(200, h2.send("GET", "/hello.txt").statusCode());
            assertEquals(stated, server.probes().listingStats.sum() - before, "no stat issued after the listing ended");
        }
    }

    @Test
    void theServerAnnouncesItsStreamLimit() throws Exception {
        try (H2Client h2 = new H2Client(address())) {
            assertEquals(200, h2.send("GET", "/hello.txt").statusCode()); // its SETTINGS came before the response
            Http2FrameCodec codec = h2.connection.pipeline().get(Http2FrameCodec.class);
            CompletableFuture<Integer> limit = new CompletableFuture<>();
            h2.connection.eventLoop().execute(() -> limit.complete(codec.connection().local().maxActiveStreams()));
            assertEquals(Pipelines.MAX_CONCURRENT_STREAMS, limit.get(10, TimeUnit.SECONDS));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "/../outside/secret.txt",
            "/%2e%2e/outside/secret.txt",
            "/..%2Foutside%2Fsecret.txt",
            "/..\\outside\\secret.txt",
            "/%c0%ae%c0%ae/outside/secret.txt",
            "/hello.txt%00.html",
            "*",
            "outside/secret.txt",
            "http://test/../outside/secret.txt"})
    void traversalTargetsAreRefused(String path) throws Exception {
        try (H2Client h2 = new H2Client(address())) {
            HttpResponse<byte[]> response = h2.send("GET", path);
            assertTrue(List.of(400, 403, 404).contains(response.statusCode()), path + " -> " + response.statusCode());
            assertFalse(new String(response.body(), StandardCharsets.ISO_8859_1).contains(TestSite.SECRET), path);
        }
    }

    @Test
    void aRequestWithABodyIsAnsweredAndItsStreamEnded() throws Exception {
        try (H2Client h2 = new H2Client(address())) {
            DefaultHttp2Headers headers = new DefaultHttp2Headers();
            headers.method("POST").path("/hello.txt").scheme("http").authority("127.0.0.1");
            H2Client.Pending post = h2.open("/hello.txt", stream -> { }, stream -> {
                stream.write(new DefaultHttp2HeadersFrame(headers, false));
                stream.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(new byte[1000]), false));
            });
            HttpResponse<byte[]> response = post.await();
            assertEquals(405, response.statusCode());
            assertEquals("GET, HEAD", response.headers().firstValue("allow").orElseThrow());
            assertEquals(200, h2.send("GET", "/hello.txt").statusCode(), "the connection goes on");
        }
    }

    @Test
    void garbageAfterThePrefaceClosesOnlyThatConnection() throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(address(), 10_000);
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[] {0, 0, 4, (byte) 0xEE, 0, 0, 0, 0, 1, 1, 2, 3, 4}); // a frame of no known type on stream 1,
            out.write("not a frame at all, just text that runs on".getBytes(StandardCharsets.US_ASCII)); // then junk
            out.flush();
            InputStream in = socket.getInputStream();
            try {
                in.readAllBytes(); // SETTINGS, GOAWAY, then the end of the stream
            } catch (java.net.SocketException reset) {
                // Closed with our junk unread: the kernel answers with a reset. Closed all the same;
                // a timeout (SocketTimeoutException, not a SocketException) would fail the test.
            }
        }
    }

    @Test
    void anIdleConnectionIsClosed() throws Exception {
        try (TestSite other = new TestSite();
             FileServer quick = FileServer.builder(other.root).port(0).threads(1).idleTimeout(Duration.ofMillis(300)).start();
             H2Client h2 = new H2Client(quick.localAddress())) {
            assertEquals(200, h2.send("GET", "/hello.txt").statusCode());
            await("the idle connection is closed", () -> !h2.connection.isActive());
        }
    }

    @Test
    void stoppingLetsAStreamUnderWayFinishThenSaysGoAway() throws Exception {
        TestSite other = new TestSite();
        FileServer stopping = FileServer.builder(other.root).port(0).threads(1).start();
        try (H2Client h2 = new H2Client(stopping.localAddress(), null, Http2Settings.defaultSettings().initialWindowSize(65_535))) {
            h2.connection.writeAndFlush(new DefaultHttp2WindowUpdateFrame(64 << 20));
            H2Client.Pending underWay = h2.request("GET", "/data.bin", stream -> stream.config().setAutoRead(false));
            await("the file is being sent", () -> stopping.probes().streamFileBytes.sum() > 0);
            CompletableFuture<Void> stopped = CompletableFuture.runAsync(stopping::close);
            h2.goAway.get(30, TimeUnit.SECONDS);
            assertFalse(stopped.isDone(), "the server waits for the stream under way");
            underWay.stream().eventLoop().execute(() -> {
                underWay.stream().config().setAutoRead(true);
                underWay.stream().read();
            });
            assertArrayEquals(other.data, underWay.await().body());
            stopped.get(30, TimeUnit.SECONDS);
        } finally {
            stopping.close();
            other.close();
        }
    }
}
