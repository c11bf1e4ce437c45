package io.linuxaio.examples.http;

import io.linuxaio.AioContext;
import io.linuxaio.LinuxAio;
import io.linuxaio.micrometer.LinuxAioMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.NetUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * The server's {@code /metrics} in the Prometheus text format, on a listener of its own: the
 * engine's meters ({@link LinuxAioMetrics}, one context per event loop) and the server's own:
 *
 * <ul>
 * <li>{@code fileserver_responses_total{status="2xx"}}, one per status class: the requests served;
 * <li>{@code fileserver_sent_bytes_total}: body bytes sent, as the access log counts them;
 * <li>{@code fileserver_connections}: connections open now.
 * </ul>
 *
 * <p>A listener of its own rather than a path on the file port, so that what the server serves to
 * everyone and what it tells about itself can be reached by different people: by default it
 * listens on 127.0.0.1 only, whatever address the files are served on, and a path on the file port
 * could also shadow a file of that name. It speaks plain HTTP/1.1 and answers nothing but
 * {@code GET /metrics} and {@code HEAD /metrics}. It shares the server's event loops: a scrape
 * reads counters and formats text, and waits for no disk.
 */
final class MetricsEndpoint {
    static final String PATH = "/metrics";
    /** A connection of a scraper that stopped scraping is closed after this long without a byte. */
    private static final long IDLE_SECONDS = 60;

    private final Channel listener;

    private MetricsEndpoint(Channel listener) {
        this.listener = listener;
    }

    /**
     * Registers the meters and listens on {@code address}; returns once it listens.
     *
     * @throws IOException if the address cannot be bound (the message names it)
     */
    static MetricsEndpoint start(EventLoopGroup group, InetSocketAddress address, LinuxAio engine,
                                 List<AioContext> loopContexts, ServerCounters counters, IntSupplier connections)
            throws IOException, InterruptedException {
        PrometheusMeterRegistry registry = registry(engine, loopContexts, counters, connections);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(EpollServerSocketChannel.class)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel channel) {
                        channel.pipeline().addLast(new HttpServerCodec(),
                                new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS),
                                new MetricsHandler(registry));
                    }
                });
        return new MetricsEndpoint(ListenAddress.bind(bootstrap, address));
    }

    private static PrometheusMeterRegistry registry(LinuxAio engine, List<AioContext> loopContexts,
                                                    ServerCounters counters, IntSupplier connections) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        LinuxAioMetrics engineMetrics = new LinuxAioMetrics(engine);
        for (int i = 0; i < loopContexts.size(); i++) {
            engineMetrics.context("loop-" + i, loopContexts.get(i));
        }
        engineMetrics.bindTo(registry);
        for (int statusClass = 1; statusClass <= 5; statusClass++) {
            int c = statusClass;
            FunctionCounter.builder("fileserver.responses", counters, s -> s.responses(c))
                    .description("responses sent, by status class")
                    .tag("status", c + "xx")
                    .register(registry);
        }
        FunctionCounter.builder("fileserver.sent", counters, ServerCounters::bodyBytes)
                .description("body bytes sent")
                .baseUnit("bytes")
                .register(registry);
        Gauge.builder("fileserver.connections", connections, IntSupplier::getAsInt)
                .description("connections open now")
                .strongReference(true) // a lambda: nothing else holds it
                .register(registry);
        return registry;
    }

    /** The URL of the metrics, such as {@code http://127.0.0.1:9180/metrics}. */
    URI uri() {
        return URI.create("http://" + NetUtil.toSocketAddressString((InetSocketAddress) listener.localAddress()) + PATH);
    }

    /** The listening socket; closing it stops the endpoint (connections open to it close with the event loops). */
    Channel listener() {
        return listener;
    }
}
