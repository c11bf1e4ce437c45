package io.linuxaio.examples.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import io.linuxaio.LinuxAio;
import io.linuxaio.netty.AioEventLoops;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.FileRegion;
import io.netty.channel.group.ChannelGroup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Connection behaviour: keep-alive, pipelining, timeouts, aborted and stalled downloads, many clients. */
class ConnectionTest extends ServerTestBase {

    @Test
    void keepAliveServesManyRequestsOnOneConnection() throws IOException {
        try (RawHttp http = raw()) {
            for (int i = 0; i < 50; i++) {
                RawHttp.Response response = http.get(i % 2 == 0 ? "/hello.txt" : "/style.css");
                assertEquals(200, response.status());
                assertNull(response.header("connection"));
            }
        }
    }

    @Test
    void pipelinedResponsesComeInRequestOrder() throws IOException {
        try (RawHttp http = raw()) {
            // The large file first: if any response could overtake another, the small ones would.
            http.send("GET /data.bin HTTP/1.1\r\nHost: t\r\n\r\n"
                    + "GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n"
                    + "HEAD /style.css HTTP/1.1\r\nHost: t\r\n\r\n"
                    + "GET /dir HTTP/1.1\r\nHost: t\r\n\r\n"
                    + "GET /missing HTTP/1.1\r\nHost: t\r\n\r\n"
                    + "GET /data.bin HTTP/1.1\r\nHost: t\r\nRange: bytes=5-9\r\n\r\n");
            RawHttp.Response data = http.read(true);
            assertEquals(200, data.status());
            assertArrayEquals(site.data, data.body());
            assertEquals("hello, world\n", http.read(true).text());
            RawHttp.Response head = http.read(false);
            assertEquals(200, head.status());
            assertEquals("20", head.header("content-length"));
            assertEquals(301, http.read(true).status());
            assertEquals(404, http.read(true).status());
            RawHttp.Response range = http.read(true);
            assertEquals(206, range.status());
            assertArrayEquals(Arrays.copyOfRange(site.data, 5, 10), range.body());
        }
    }

    @Test
    void manyPipelinedRequestsAreAllAnsweredInOrder() throws IOException {
        byte[] hello = site.bytes("hello.txt");
        StringBuilder requests = new StringBuilder();
        int count = 10 * FileRequestHandler.MAX_WAITING;
        for (int i = 0; i < count; i++) {
            int at = i % hello.length;
            requests.append("GET /hello.txt HTTP/1.1\r\nHost: t\r\nRange: bytes=").append(at).append('-').append(at)
                    .append("\r\n\r\n");
        }
        try (RawHttp http = raw()) {
            http.send(requests.toString());
            for (int i = 0; i < count; i++) {
                RawHttp.Response response = http.read(true);
                assertEquals(206, response.status());
                assertArrayEquals(new byte[] {hello[i % hello.length]}, response.body(), "response " + i);
            }
        }
    }

    @Test
    void twoHundredRequestsPipelinedInOneWriteGetTwoHundredResponsesInOrder() throws IOException {
        StringBuilder requests = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            requests.append("GET /hello.txt?n=").append(i).append(" HTTP/1.1\r\nHost: t\r\n\r\n");
        }
        try (RawHttp http = raw()) {
            http.send(requests.toString()); // one write: the server reads many requests at once
            for (int i = 0; i < 200; i++) {
                RawHttp.Response response = http.read(true);
                assertEquals(200, response.status(), "response " + i);
                assertEquals("hello, world\n", response.text(), "response " + i);
            }
            assertEquals(200, http.get("/style.css").status(), "the connection is still open");
        }
        // Each response is logged as it completes, in the order of the requests.
        List<Integer> logged = new ArrayList<>();
        java.util.regex.Pattern n = java.util.regex.Pattern.compile("\"GET /hello.txt\\?n=(\\d+) ");
        await("every response is logged", () -> {
            for (String line; (line = accessLog.poll()) != null; ) {
                java.util.regex.Matcher m = n.matcher(line);
                if (m.find()) {
                    logged.add(Integer.parseInt(m.group(1)));
                }
            }
            return logged.size() == 200;
        });
        for (int i = 0; i < 200; i++) {
            assertEquals(i, logged.get(i));
        }
    }

    @Test
    void halfSentRequestsAreClosedByTheIdleTimeoutWhileOthersAreServed() throws Exception {
        try (FileServer quick = FileServer.builder(site.root).port(0).threads(1).idleTimeout(Duration.ofMillis(500)).start();
             RawHttp slowloris = new RawHttp(quick.localAddress())) {
            slowloris.send("GET /hello.txt HTTP/1.1\r\nHost: t\r\nX-Slow: ");
            try (RawHttp other = new RawHttp(quick.localAddress())) {
                assertEquals(200, other.get("/hello.txt").status());
            }
            long start = System.nanoTime();
            assertTrue(slowloris.closedByServer());
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20));
        }
    }

    @Test
    void abortedDownloadsLeaveNoFileOpen() throws Exception {
        List<RawHttp> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                Socket socket = new Socket();
                socket.setReceiveBufferSize(16 * 1024);
                RawHttp http = new RawHttp(socket, address());
                clients.add(http);
                http.request("GET", "/big.bin", i % 2 == 0 ? "Range: bytes=0-" + (TestSite.BIG_BYTES - 1000) : "X-Whole: yes");
                RawHttp.Response head = http.readHead();
                assertEquals(i % 2 == 0 ? 206 : 200, head.status());
                assertEquals(1000, http.input().readNBytes(1000).length);
            }
            await("every download holds its file open", () -> openFilesUnderRoot() == 20);
        } finally {
            for (RawHttp client : clients) {
                client.socket.setSoLinger(true, 0); // a reset, as a killed client sends
                client.close();
            }
        }
        await("no file under the root is left open", () -> openFilesUnderRoot() == 0);
    }

    /**
     * A client gone while a directory's index.html is being opened: the directory, open until
     * then, is closed too. The only worker is held (by opens of FIFOs with no writer yet) so that
     * the client resets exactly between the directory's open and the index's.
     */
    @ParameterizedTest(name = "openat2 {0}")
    @ValueSource(booleans = {true, false})
    void aClientGoneWhileTheIndexOpensLeavesNoDirectoryOpen(boolean openat2) throws Exception {
        try (FileServer one = FileServer.builder(site.root).port(0).threads(1).aioThreads(1).openat2(openat2).start();
             WorkerHold first = new WorkerHold(one.engine(), site.base.resolve("hold-first"));
             RawHttp client = new RawHttp(one.localAddress())) {
            LinuxAio engine = one.engine();
            engine.inline(false); // every open on the (held) worker: cached ones would not wait for it
            await("the only worker is held", () -> engine.nready() == 0 && WorkerHold.threadsInFifoOpen() == 1);
            client.request("GET", "/site/");
            await("the directory's open waits for the worker", () -> engine.nready() == 1);
            try (WorkerHold second = new WorkerHold(engine, site.base.resolve("hold-second"))) {
                first.release(); // the worker opens the directory, then waits in the second hold
                await("the directory is open and the server asked for its index", () -> WorkerHold.threadsInFifoOpen() == 1
                        && engine.nready() == 1);
                client.socket.setSoLinger(true, 0);
                client.close(); // a reset
                await("the server saw the client go", () -> one.connections() == 0);
                assertEquals(1, openFilesUnderRoot(one), "the directory is open");
            }
            await("no directory or file under the root is left open", () -> openFilesUnderRoot(one) == 0);
        }
    }

    /**
     * A client gone while its small body (read with a request of its own, into the buffer the
     * response would leave in) waits for the worker: when the read comes back the buffer is let go
     * (the leak check fails the class otherwise) and the file closed. The only worker is held so
     * that the client resets exactly between the file's open and its read.
     */
    @Test
    void aClientGoneWhileItsSmallBodyIsReadLeavesNoFileOpenAndNoBuffer() throws Exception {
        try (FileServer one = FileServer.builder(site.root).port(0).threads(1).aioThreads(1).start();
             WorkerHold first = new WorkerHold(one.engine(), site.base.resolve("hold-small-first"));
             RawHttp client = new RawHttp(one.localAddress())) {
            LinuxAio engine = one.engine();
            engine.inline(false); // the open and the read on the (held) worker: cached ones would not wait for it
            await("the only worker is held", () -> engine.nready() == 0 && WorkerHold.threadsInFifoOpen() == 1);
            client.request("GET", "/hello.txt");
            await("the file's open waits for the worker", () -> engine.nready() == 1);
            try (WorkerHold second = new WorkerHold(engine, site.base.resolve("hold-small-second"))) {
                first.release(); // the worker opens the file, then waits in the second hold
                await("the file is open and its body's read waits", () -> WorkerHold.threadsInFifoOpen() == 1
                        && engine.nready() == 1);
                client.socket.setSoLinger(true, 0);
                client.close(); // a reset
                await("the server saw the client go", () -> one.connections() == 0);
                assertEquals(1, openFilesUnderRoot(one), "the file is open");
            }
            await("no file under the root is left open", () -> openFilesUnderRoot(one) == 0);
            await("nothing left in the engine", () -> engine.nreqs() == 0);
        }
    }

    @Test
    void twoHundredConcurrentClientsGetExactBodies() throws Exception {
        CRC32 expected = new CRC32();
        expected.update(site.data);
        List<CompletableFuture<HttpResponse<Long>>> responses = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            HttpRequest request = HttpRequest.newBuilder(uri("/data.bin")).timeout(Duration.ofSeconds(60)).build();
            responses.add(client.sendAsync(request, info -> HttpResponse.BodySubscribers.fromSubscriber(new Crc(), Crc::value)));
        }
        for (CompletableFuture<HttpResponse<Long>> future : responses) {
            HttpResponse<Long> response = future.get(120, TimeUnit.SECONDS);
            assertEquals(200, response.statusCode());
            assertEquals(expected.getValue(), response.body());
        }
    }

    @Test
    void aClientThatStopsReadingIsNotBufferedFor() throws Exception {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(16 * 1024);
        try (FileServer one = FileServer.builder(site.root).port(0).threads(1).chunks(CHUNK_SIZE, CHUNKS_IN_FLIGHT).start();
             RawHttp http = new RawHttp(socket, one.localAddress())) {
            http.request("GET", "/big.bin");
            RawHttp.Response head = http.readHead();
            assertEquals(200, head.status());
            InputStream body = http.input();
            assertEquals(4096, body.readNBytes(4096).length);
            // Now stop reading. The socket buffers fill, then Netty's outbound buffer holds what was
            // read from the file: no more than the chunks in flight, plus one chunk's HTTP framing.
            long[] stalled = new long[1];
            await("the server is held back by the client", () -> {
                stalled[0] = stalledOutboundBytes(one);
                return stalled[0] >= 0;
            });
            long bound = (long) (CHUNKS_IN_FLIGHT + 1) * CHUNK_SIZE;
            assertTrue(stalled[0] <= bound, "buffered " + stalled[0] + " bytes of a " + TestSite.BIG_BYTES + "-byte file");
            // Reading again resumes the transfer to the last byte.
            byte[] buffer = new byte[1 << 16];
            long total = 4096;
            for (int n; total < TestSite.BIG_BYTES && (n = body.read(buffer)) > 0; ) {
                total += n;
                for (int i = 0; i < n; i++) {
                    if (buffer[i] != 0) {
                        throw new AssertionError("byte " + (total - n + i) + " of the sparse file is not zero");
                    }
                }
            }
            assertEquals(TestSite.BIG_BYTES, total);
            assertEquals(200, http.get("/hello.txt").status());
        }
    }

    /**
     * The bytes waiting in the outbound buffer of {@code server}'s one connection if its transfer
     * has stalled, else -1. Stalled, looked at on the connection's loop: no file request of the
     * loop's context is outstanding (so no chunk is on its way) and the channel takes no more
     * writes (so no read starts), or a sendfile chunk waits for the socket: it stays so until the
     * client reads. The server keeps its
     * channels and contexts to itself, so they are reached by reflection.
     */
    private static long stalledOutboundBytes(FileServer server) {
        ChannelGroup connections = serverField(server, "connections", ChannelGroup.class);
        AioEventLoops loops = serverField(server, "loops", AioEventLoops.class);
        assertEquals(1, connections.size(), "one connection");
        Channel channel = connections.iterator().next();
        try {
            return channel.eventLoop().submit(() -> {
                // A body read into buffers stalls with the channel unwritable; one sent with
                // sendfile (a cached file) with its FileRegion waiting for the socket, which
                // holds no buffer, so the channel stays writable.
                ChannelOutboundBuffer outbound = channel.unsafe().outboundBuffer();
                boolean waiting = !channel.isWritable() || outbound.current() instanceof FileRegion;
                boolean stalled = loops.forChannel(channel).nreqs() == 0 && waiting;
                return stalled ? outbound.totalPendingWriteBytes() : -1;
            }).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void closeFinishesTheResponseInFlightAndClosesIdleConnections() throws Exception {
        FileServer stopping = FileServer.builder(site.root).port(0).threads(2).start();
        java.net.InetSocketAddress address = stopping.localAddress();
        Thread closer = new Thread(stopping::close, "closer");
        try (RawHttp idle = new RawHttp(stopping.localAddress());
             RawHttp downloading = new RawHttp(stopping.localAddress())) {
            assertEquals(200, idle.get("/hello.txt").status());
            downloading.request("GET", "/big.bin");
            assertEquals(200, downloading.readHead().status());
            InputStream body = downloading.input();
            assertEquals(1 << 16, body.readNBytes(1 << 16).length);

            closer.start();
            assertTrue(idle.closedByServer(), "an idle keep-alive connection is closed at once");
            long total = 1 << 16;
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = body.read(buffer)) > 0; ) {
                total += n;
            }
            assertEquals(TestSite.BIG_BYTES, total, "the download in flight finished");
            closer.join(DEADLINE.toMillis());
            assertFalse(closer.isAlive(), "close() returned once the response was done");
        } finally {
            stopping.close();
        }
        assertThrows(java.net.ConnectException.class, () -> new RawHttp(address).close(), "no longer listening");
    }

    /** Checksums a body as it streams in, so 200 bodies need not be held at once. */
    private static final class Crc implements Flow.Subscriber<List<ByteBuffer>> {
        private final CRC32 crc = new CRC32();

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            buffers.forEach(crc::update);
        }

        @Override
        public void onError(Throwable throwable) {}

        @Override
        public void onComplete() {}

        long value() {
            return crc.getValue();
        }
    }
}
