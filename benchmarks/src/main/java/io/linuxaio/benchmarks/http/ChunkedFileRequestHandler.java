package io.linuxaio.benchmarks.http;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.stream.ChunkedNioFile;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Answers a GET with the file under the root, read by {@link ChunkedNioFile} on the event loop, or
 * sent by sendfile(2) from a {@link DefaultFileRegion} there (this blocking is the behaviour the
 * benchmarks measure, so it is deliberate). Runs on the channel's event loop, like every handler.
 */
final class ChunkedFileRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final Path root;
    private final int chunkSize;
    private final boolean region;

    ChunkedFileRequestHandler(Path root, int chunkSize, boolean region) {
        this.root = root;
        this.chunkSize = chunkSize;
        this.region = region;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (!request.decoderResult().isSuccess()) {
            sendStatus(ctx, HttpResponseStatus.BAD_REQUEST, false);
            return;
        }
        if (!HttpMethod.GET.equals(request.method())) {
            sendStatus(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, keepAlive);
            return;
        }
        Path file = resolve(request.uri());
        if (file == null) {
            sendStatus(ctx, HttpResponseStatus.FORBIDDEN, keepAlive);
            return;
        }
        FileChannel channel;
        long size;
        try {
            if (!Files.isRegularFile(file)) {
                sendStatus(ctx, HttpResponseStatus.NOT_FOUND, keepAlive);
                return;
            }
            channel = FileChannel.open(file, StandardOpenOption.READ);
            size = channel.size();
        } catch (IOException e) {
            sendStatus(ctx, HttpResponseStatus.NOT_FOUND, keepAlive);
            return;
        }
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        HttpUtil.setContentLength(response, size);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_OCTET_STREAM);
        HttpUtil.setKeepAlive(response, keepAlive);
        ctx.write(response);
        if (region) {
            // The region owns the channel from here: it is closed when the region is released.
            ctx.write(new DefaultFileRegion(channel, 0, size));
            ChannelFuture last = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            if (!keepAlive) {
                last.addListener(ChannelFutureListener.CLOSE);
            }
            return;
        }
        ChunkedNioFile body;
        try {
            body = new ChunkedNioFile(channel, 0, size, chunkSize);
        } catch (IOException e) {
            closeQuietly(channel);
            ctx.close();
            return;
        }
        // ChunkedWriteHandler closes the ChunkedNioFile (and so the FileChannel) when it ends or fails.
        ChannelFuture last = ctx.writeAndFlush(new HttpChunkedInput(body));
        if (!keepAlive) {
            last.addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    /** The file a request path names under the root, or null if it would leave the root. */
    private Path resolve(String uri) {
        String path = new QueryStringDecoder(uri).path();
        if (!path.startsWith("/") || path.indexOf('\0') >= 0 || path.indexOf('\\') >= 0) {
            return null;
        }
        Path resolved = root.resolve(path.substring(1)).normalize();
        return resolved.startsWith(root) ? resolved : null;
    }

    private static void sendStatus(
            ChannelHandlerContext ctx, HttpResponseStatus status, boolean keepAlive) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status);
        HttpUtil.setContentLength(response, 0);
        HttpUtil.setKeepAlive(response, keepAlive);
        ChannelFuture sent = ctx.writeAndFlush(response);
        if (!keepAlive) {
            sent.addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Nothing was sent from it; the response is abandoned by closing the connection.
        }
    }
}
