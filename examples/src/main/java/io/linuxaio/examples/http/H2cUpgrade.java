package io.linuxaio.examples.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Turns a plain HTTP/1.1 connection into HTTP/2 when a request asks to ({@code Upgrade: h2c} with
 * {@code HTTP2-Settings}, RFC 7540 § 3.2): answers 101, swaps the HTTP/1.1 handlers for the HTTP/2
 * ones, and the request itself is answered on stream 1 once the client's preface has arrived
 * ({@link UpgradedRequestGate}).
 *
 * <p>{@link FileRequestHandler} calls it only for a request that is the last one received and
 * comes with no body, when no response is under way, and it upgrades only if no byte after the
 * request is anything but HTTP/2's preface: so no HTTP/1.1 response can follow the 101.
 * Netty's {@link HttpServerUpgradeHandler} does the rest, and declines what is malformed (no
 * {@code HTTP2-Settings}, or one that does not decode): the request is then answered over HTTP/1.1,
 * as RFC 9110 lets a server ignore {@code Upgrade}.
 *
 * <p>On the connection's event loop only; one per connection.
 */
final class H2cUpgrade {
    private static final String HANDLER = "h2c-upgrade";

    private final Pipelines pipelines;

    H2cUpgrade(Pipelines pipelines) {
        this.pipelines = pipelines;
    }

    /**
     * Whether an HTTP/1.1 request names h2c among the protocols it would upgrade to, with one
     * {@code HTTP2-Settings} that decodes. (Netty's codec would log a stack trace for each one that
     * does not, a line any client could write into the server's log at will.)
     */
    static boolean asked(HttpRequest request) {
        if (!HttpVersion.HTTP_1_1.equals(request.protocolVersion()) || !settingsDecode(request)) {
            return false;
        }
        for (String upgrade : request.headers().getAll(HttpHeaderNames.UPGRADE)) {
            for (String protocol : upgrade.split(",")) {
                if (protocol.strip().toLowerCase(Locale.ROOT).equals(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME.toString())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** One HTTP2-Settings field of base64url, whose bytes are whole settings (6 bytes each). */
    private static boolean settingsDecode(HttpRequest request) {
        List<String> settings = request.headers().getAll(Http2CodecUtil.HTTP_UPGRADE_SETTINGS_HEADER);
        if (settings.size() != 1) {
            return false;
        }
        try {
            return Base64.getUrlDecoder().decode(settings.get(0).strip()).length % 6 == 0;
        } catch (IllegalArgumentException notBase64) {
            return false;
        }
    }

    /**
     * Upgrades the connection of {@code requests}, the context of its {@link FileRequestHandler},
     * for {@code request}. Returns true if it speaks HTTP/2 now: that handler, the decoder and the
     * encoder have left the pipeline, and the request is on its way to stream 1. Returns false if
     * the upgrade was declined, with the pipeline as it was.
     */
    boolean upgrade(ChannelHandlerContext requests, HttpRequest request, RequestDecoder decoder) {
        if (!decoder.holdsNothingButAPreface()) {
            return false; // more HTTP/1.1 was pipelined behind it: it is answered in turn, over HTTP/1.1
        }
        ChannelPipeline pipeline = requests.pipeline();
        ByteBuf[] unread = new ByteBuf[1];
        HttpServerUpgradeHandler.SourceCodec http1 = upgradeHandler -> {
            // Bytes after the upgrade request are the client's first HTTP/2 frames; the decoder
            // would hand them to whatever follows it, and the frame codec is not there yet.
            unread[0] = decoder.takeUnread();
            pipeline.remove("requests");
            pipeline.remove("files");
            pipeline.remove("http-out");
            pipeline.remove("http-in");
        };
        HttpServerUpgradeHandler.UpgradeCodecFactory h2c = protocol ->
                Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME.toString().contentEquals(protocol)
                        ? new Http2ServerUpgradeCodec(pipelines.frameCodec(), pipelines.afterUpgradedFrameCodec()) : null;
        pipeline.addAfter(requests.name(), HANDLER, new HttpServerUpgradeHandler(http1, h2c, 0));
        // The request again, as the decoder gave it: its body is known to be empty. (The handler
        // aggregates what it upgrades for, and lets a request that is already whole pass by.)
        requests.fireChannelRead(new DefaultHttpRequest(request.protocolVersion(), request.method(), request.uri(),
                request.headers()));
        requests.fireChannelRead(LastHttpContent.EMPTY_LAST_CONTENT);
        if (!requests.isRemoved()) {
            if (pipeline.get(HANDLER) != null) {
                pipeline.remove(HANDLER);
            }
            return false;
        }
        pipeline.channel().config().setAutoRead(true);
        if (unread[0] != null && unread[0].isReadable()) {
            pipeline.fireChannelRead(unread[0]);
            pipeline.fireChannelReadComplete();
        } else if (unread[0] != null) {
            unread[0].release();
        }
        pipeline.read();
        return true;
    }
}
