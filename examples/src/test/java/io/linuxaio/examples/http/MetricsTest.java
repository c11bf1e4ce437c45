package io.linuxaio.examples.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The server's /metrics, scraped and parsed as Prometheus would, while requests are served. */
class MetricsTest extends ServerTestBase {

    @BeforeAll
    static void startServer() throws Exception {
        start(builder -> builder.metrics("127.0.0.1", 0));
    }

    static HttpResponse<String> scrapeResponse(String method, String path) throws IOException, InterruptedException {
        URI metrics = server.metricsUri().resolve(path);
        return client.send(HttpRequest.newBuilder(metrics).timeout(DEADLINE)
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    static PrometheusText scrape() throws IOException, InterruptedException {
        HttpResponse<String> response = scrapeResponse("GET", "/metrics");
        assertEquals(200, response.statusCode());
        assertEquals(MetricsHandler.CONTENT_TYPE, response.headers().firstValue("content-type").orElseThrow());
        return PrometheusText.parse(response.body());
    }

    @Test
    void countersMoveAsRequestsAreServed() throws Exception {
        PrometheusText before = scrape();
        double ok = before.value("fileserver_responses_total{status=\"2xx\"}");
        double missing = before.value("fileserver_responses_total{status=\"4xx\"}");
        double bytes = before.value("fileserver_sent_bytes_total");
        double opensTried = opens(before);
        // Each request marked, so that its access-log line is told from an earlier test's still on its way.
        for (int i = 0; i < 3; i++) {
            assertEquals(200, get("/hello.txt?counted-" + i).statusCode());
        }
        HttpResponse<byte[]> notFound = get("/missing?counted-3");
        assertEquals(404, notFound.statusCode());

        // A response is counted as its last write completes, just before its access-log line is
        // written: once the four lines are here, so are the counts.
        Set<String> logged = new HashSet<>();
        while (logged.size() < 4) {
            String line = accessLog.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            assertNotNull(line, "access-log lines of the four requests; those seen: " + logged);
            Matcher marker = Pattern.compile("counted-\\d").matcher(line);
            if (marker.find()) {
                logged.add(marker.group());
            }
        }
        PrometheusText after = scrape();
        assertEquals(ok + 3, after.value("fileserver_responses_total{status=\"2xx\"}"));
        assertEquals(missing + 1, after.value("fileserver_responses_total{status=\"4xx\"}"));
        assertEquals(bytes + 3 * "hello, world\n".length() + notFound.body().length, after.value("fileserver_sent_bytes_total"),
                "the bodies, the error page's too");
        assertEquals(before.value("fileserver_responses_total{status=\"5xx\"}"),
                after.value("fileserver_responses_total{status=\"5xx\"}"));
        assertTrue(opens(after) >= opensTried + 4, "each request's open was tried on its loop first: "
                + opensTried + " then " + opens(after));
        assertTrue(after.value("linuxaio_workers") >= 1, "the engine keeps a worker");
        assertEquals("counter", after.types.get("fileserver_responses_total"));
        assertEquals("gauge", after.types.get("linuxaio_requests_outstanding"));
    }

    private static double opens(PrometheusText metrics) {
        return metrics.value("linuxaio_inline_completed_total{operation=\"open\"}")
                + metrics.value("linuxaio_inline_to_pool_total{operation=\"open\"}");
    }

    @Test
    void theConnectionsGaugeCountsOpenConnections() throws Exception {
        // Only this test opens connections of its own; the JDK client's stay open between tests.
        ChannelGroup group = serverField(server, "connections", ChannelGroup.class);
        double idle = scrape().value("fileserver_connections");
        assertEquals(connections(), idle);
        Set<Channel> before = Set.copyOf(group);
        CountDownLatch closed = new CountDownLatch(2);
        try (RawHttp first = raw(); RawHttp second = raw()) {
            assertEquals(200, first.get("/hello.txt").status());
            assertEquals(200, second.get("/hello.txt").status());
            assertEquals(idle + 2, scrape().value("fileserver_connections"));
            List<Channel> ours = group.stream().filter(channel -> !before.contains(channel)).toList();
            assertEquals(2, ours.size());
            // The group's own listener, added first, has taken the channel out when this one runs.
            ours.forEach(channel -> channel.closeFuture().addListener(f -> closed.countDown()));
        }
        assertTrue(closed.await(DEADLINE.toSeconds(), TimeUnit.SECONDS), "the server closed both connections");
        assertEquals(idle, scrape().value("fileserver_connections"));
    }

    /** The JDK client keeps its connections to the file port open between tests. */
    private static double connections() {
        return server.connections();
    }

    @Test
    void everyEventLoopsContextIsReported() throws Exception {
        PrometheusText metrics = scrape();
        for (String context : new String[] {"default", "loop-0", "loop-1"}) {
            assertTrue(metrics.value("linuxaio_requests_outstanding{context=\"" + context + "\"}") >= 0);
            assertTrue(metrics.value("linuxaio_requests_pending{context=\"" + context + "\"}") >= 0);
        }
        assertEquals(0, metrics.value("linuxaio_inline_refused_total"), "this kernel takes the no-wait flags");
        assertTrue(metrics.value("linuxaio_requests_ready") >= 0);
    }

    @Test
    void theMetricsListenApartFromTheFilesAndAnswerOnlyGetAndHeadOfMetrics() throws Exception {
        InetSocketAddress files = address();
        URI metrics = server.metricsUri();
        assertEquals("127.0.0.1", metrics.getHost());
        assertNotEquals(files.getPort(), metrics.getPort());
        assertEquals(404, get("/metrics").statusCode(), "not on the file port");

        assertEquals(404, scrapeResponse("GET", "/").statusCode());
        assertEquals(404, scrapeResponse("GET", "/metrics/more").statusCode());
        HttpResponse<String> post = scrapeResponse("POST", "/metrics");
        assertEquals(405, post.statusCode());
        assertEquals("GET, HEAD", post.headers().firstValue("allow").orElseThrow());
        HttpResponse<String> head = scrapeResponse("HEAD", "/metrics");
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
        assertTrue(head.headers().firstValueAsLong("content-length").orElseThrow() > 0);
        assertEquals(200, scrapeResponse("GET", "/metrics?name[]=x").statusCode(), "a query is ignored");
    }
}
