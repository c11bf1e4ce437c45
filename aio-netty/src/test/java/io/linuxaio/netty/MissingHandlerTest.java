package io.linuxaio.netty;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A region written to a pipeline that has no AioFileHandler fails loudly, naming the handler it needs. */
class MissingHandlerTest {
    @TempDir
    Path dir;

    @Test
    void aRegionBehindHttpServerCodecAloneFailsItsWriteNamingAioFileHandlerAndIsLogged() throws Exception {
        Path path = Fixtures.randomFile(dir, "body", 10_000, 60);
        try (LoggedFailures logged = LoggedFailures.open(); Rig rig = new Rig(1)) {
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            InetSocketAddress address = rig.serve(p -> p.addLast(new HttpServerCodec(), new SimpleChannelInboundHandler<HttpRequest>() {
                @Override
                protected void channelRead0(ChannelHandlerContext ctx, HttpRequest request) {
                    HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                    HttpUtil.setContentLength(response, 10_000);
                    ctx.write(response);
                    ctx.write(AioFileRegion.of(path.toString(), 0, AioFileRegion.TO_END))
                            .addListener((ChannelFuture f) -> outcome.complete(f.cause()));
                    ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                }
            }));
            try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
                socket.getOutputStream().write("GET /body HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(US_ASCII));
                String head = readHead(socket.getInputStream());
                assertTrue(head.startsWith("HTTP/1.1 200 OK"), head);
                Throwable failure = outcome.get(60, TimeUnit.SECONDS);
                assertNotNull(failure, "the region's write succeeded without an AioFileHandler");
                assertTrue(failure.getMessage().contains("AioFileHandler"), "the promise's failure: " + failure);
                assertNamedInTheLog(logged);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"transport", "SslHandler"})
    void aRegionThatReachesAHandlerThatCannotSendItFailsNamingAioFileHandlerAndIsLogged(String refuser) throws Exception {
        Path path = Fixtures.randomFile(dir, "body", 10_000, 61);
        SelfSignedCertificate cert = new SelfSignedCertificate("localhost");
        try (LoggedFailures logged = LoggedFailures.open(); Rig rig = new Rig(1)) {
            SslContext ssl = SslContextBuilder.forServer(cert.certificate(), cert.privateKey()).build();
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            InetSocketAddress address = rig.serve(p -> {
                if (refuser.equals("SslHandler")) {
                    p.addLast(ssl.newHandler(p.channel().alloc()));
                }
                p.addLast(new OnActive(ctx -> ctx.writeAndFlush(AioFileRegion.of(path.toString(), 0, AioFileRegion.TO_END))
                        .addListener((ChannelFuture f) -> {
                            outcome.complete(f.cause());
                            f.channel().close();
                        })));
            });
            try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
                socket.getInputStream().readAllBytes(); // until the server closes
            }
            Throwable failure = outcome.get(60, TimeUnit.SECONDS);
            assertNotNull(failure, "the region's write succeeded without an AioFileHandler");
            assertTrue(failure.getMessage().contains("AioFileHandler"), "the promise's failure: " + failure);
            assertNamedInTheLog(logged);
        } finally {
            cert.delete();
        }
    }

    @Test
    void aRegionWrittenToAClosedChannelThroughAioFileHandlerFailsQuietly() throws Exception {
        Path path = Fixtures.randomFile(dir, "body", 10_000, 62);
        try (LoggedFailures logged = LoggedFailures.open(); Rig rig = new Rig(1)) {
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            InetSocketAddress address = rig.serve(p -> p.addLast(new AioFileHandler(rig.loops), new OnActive(ctx ->
                    ctx.close().addListener(closed -> ctx.writeAndFlush(AioFileRegion.of(path.toString(), 0, AioFileRegion.TO_END))
                            .addListener((ChannelFuture f) -> outcome.complete(f.cause()))))));
            new Socket(address.getAddress(), address.getPort()).close();
            assertNotNull(outcome.get(60, TimeUnit.SECONDS));
            assertEquals(List.of(), logged.of(IllegalStateException.class), "a region the handler refused is not 'dropped'");
        }
    }

    private static void assertNamedInTheLog(LoggedFailures logged) {
        List<Throwable> warned = logged.of(IllegalStateException.class);
        assertFalse(warned.isEmpty(), "nothing was logged: " + logged.seen());
        assertTrue(warned.get(0).getMessage().contains("AioFileHandler"), warned.get(0).getMessage());
    }

    /** The response head, up to its blank line. */
    private static String readHead(InputStream in) throws Exception {
        StringBuilder head = new StringBuilder();
        while (head.indexOf("\r\n\r\n") < 0) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.append((char) b);
        }
        return head.toString();
    }
}
