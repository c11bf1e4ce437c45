package io.linuxaio.examples.http;

import io.linuxaio.netty.AioEventLoops;
import io.linuxaio.netty.AioFileHandler;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;

/**
 * The handlers a connection needs for the protocol it turns out to speak: chosen at accept by
 * {@link ProtocolDetector} on a plain port (HTTP/1.1, or h2c by prior knowledge), after the TLS
 * handshake by ALPN ({@link AlpnHandler}), or on an h2c upgrade ({@link H2cUpgrade}).
 *
 * <p>Both protocols end in the same request handling: under HTTP/1.1 one {@link FileRequestHandler}
 * answers the connection's requests in turn; under HTTP/2 each stream is a child channel whose
 * frames {@link Http2StreamFrameToHttpObjectCodec} turns into the same {@code HttpRequest} and from
 * the same {@code HttpResponse}, with its own {@link AioFileHandler}: HTTP/2 has no sendfile, and
 * the stream's flow-control window is its channel's writability, the backpressure the file reads
 * wait on. A cached body of up to {@link #WHOLE_BODY_MAX_BYTES} leaves with its head as one
 * response ({@link Exchange}); on a plain HTTP/1.1 connection, a larger cached body goes out with
 * sendfile ({@link AioFileHandler#sendfileWhenCached}): the encoder passes a body with a
 * Content-Length on unchanged, as that needs.
 *
 * <p>Immutable; one per server, used on every event loop.
 */
final class Pipelines {
    /**
     * Streams open at once per connection (nginx's default is 128): each may hold an open file
     * and {@code chunksInFlight} chunks, as one HTTP/1.1 connection does.
     */
    static final int MAX_CONCURRENT_STREAMS = 100;
    /**
     * Up to this, a body (all of a file, or one range of it) that the page cache holds is read on
     * the loop, whole, into a buffer of its own, and leaves with its head as one response; over
     * it, a cached body goes out with sendfile on a plain connection (no TLS, no HTTP/2), and in
     * chunks read through the engine otherwise. Chosen by measurement (benchmarks/RESULTS.md): at
     * 64 KiB the whole-body read served 1.3 times the requests sendfile did with the mmap, mincore
     * and munmap that make it safe on a loop (and still 1.3 times, at 40 against 65 us of CPU a
     * response, once sendfile corked the head: the residency check alone is a fifth of that path's
     * CPU); at 256 KiB the two were even; at 1 MiB the copy cost twice sendfile's system CPU, and
     * sendfile took a 1 MiB response from 900 to 350 us of server CPU against 64 KiB chunks.
     */
    static final int WHOLE_BODY_MAX_BYTES = 64 * 1024;
    /**
     * Up to this, such a body is read with a request of its own rather than tried on the spot: the
     * reads (and closes) of a loop's pass are then made in one io_uring_enter. Larger ones are
     * not, by measurement (benchmarks/RESULTS.md): a pass then holds a buffer for each of its
     * responses at once, and past 16 KiB Netty's adaptive allocator makes many of them anew, zeroed
     * (32 KiB bodies served 0.78-0.98 of the requests reading on the spot did, 64 KiB 0.64-0.75),
     * where 16 KiB served 1.04-1.10 and 1 KiB 1.02-1.14 of them.
     */
    static final int READ_BODY_MAX_BYTES = 16 * 1024;
    /** {@link FileServer#close()}'s grace. */
    static final long GRACE_MILLIS = 30_000;

    private final Site site;
    private final AioEventLoops loops;
    private final HttpDecoderConfig decoder;
    private final int maxHeaderSize;
    private final int chunkSize;
    private final int chunksInFlight;
    private final boolean cleartext;
    private final ChunksAsContent chunks;

    /**
     * @param cleartext whether connections are plain TCP, where an HTTP/1.1 request may ask to
     *                  upgrade to h2c; over TLS only ALPN chooses HTTP/2
     */
    Pipelines(Site site, AioEventLoops loops, HttpDecoderConfig decoder, int maxHeaderSize, int chunkSize,
              int chunksInFlight, boolean cleartext) {
        this.site = site;
        this.loops = loops;
        this.decoder = decoder;
        this.maxHeaderSize = maxHeaderSize;
        this.chunkSize = chunkSize;
        this.chunksInFlight = chunksInFlight;
        this.cleartext = cleartext;
        this.chunks = new ChunksAsContent(site.probes());
    }

    /** Adds the HTTP/1.1 handlers at the end of a connection's pipeline. */
    void http1(ChannelPipeline pipeline) {
        // A decoder and an encoder rather than Netty's HttpServerCodec, whose decoder cannot be
        // paused and which closes a connection past 128 pipelined requests it has parsed.
        RequestDecoder requests = new RequestDecoder(decoder);
        pipeline.addLast("http-in", requests);
        pipeline.addLast("http-out", new HttpResponseEncoder());
        AioFileHandler files = new AioFileHandler(loops, chunkSize, chunksInFlight);
        if (cleartext) {
            files.sendfileWhenCached(WHOLE_BODY_MAX_BYTES + 1);
        }
        pipeline.addLast("files", files);
        pipeline.addLast("requests", new FileRequestHandler(site, requests, cleartext ? new H2cUpgrade(this) : null));
    }

    /** Adds the HTTP/2 handlers at the end of a connection's pipeline, for a connection that starts with its preface. */
    void http2(ChannelPipeline pipeline) {
        pipeline.addLast("h2", frameCodec());
        for (ChannelHandler handler : afterFrameCodec()) {
            pipeline.addLast(handler);
        }
    }

    /** The HTTP/2 framing of a connection, with the limits an HTTP/1.1 connection has. */
    Http2FrameCodec frameCodec() {
        return Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings()
                        .maxConcurrentStreams(MAX_CONCURRENT_STREAMS)
                        .maxHeaderListSize(maxHeaderSize)) // past it a request gets 431, as over HTTP/1.1
                .validateHeaders(true)
                // After GOAWAY (the server stopping), how long streams under way may take to
                // finish before the connection is closed: the server's own default grace. The
                // builder's default is 0, which would cut every response under way.
                .gracefulShutdownTimeoutMillis(GRACE_MILLIS)
                .build();
    }

    /** What follows the frame codec in a connection's pipeline: a child channel per stream, then the connection's own events. */
    ChannelHandler[] afterFrameCodec() {
        return new ChannelHandler[] {new Http2MultiplexHandler(streams()), new Http2ConnectionEvents()};
    }

    /** As {@link #afterFrameCodec()}, on a connection upgraded to h2c: the upgrade request waits for the client's preface. */
    ChannelHandler[] afterUpgradedFrameCodec() {
        return new ChannelHandler[] {new UpgradedRequestGate(), new Http2MultiplexHandler(streams()), new Http2ConnectionEvents()};
    }

    private ChannelInitializer<Channel> streams() {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel channel) {
                if (!(channel instanceof Http2StreamChannel)) {
                    throw new IllegalStateException("not a stream: " + channel);
                }
                ChannelPipeline pipeline = channel.pipeline();
                pipeline.addLast("h2-http", new Http2StreamFrameToHttpObjectCodec(true));
                pipeline.addLast("chunks", chunks);
                pipeline.addLast("files", new AioFileHandler(loops, chunkSize, chunksInFlight));
                pipeline.addLast("requests", new FileRequestHandler(site, null, null));
            }
        };
    }
}
