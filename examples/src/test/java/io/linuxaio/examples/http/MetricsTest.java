package io.linuxaio.examples.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.function.Predicate;
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

    /** Scrapes until {@code condition} holds, failing after the deadline: responses are counted as their last write completes. */
    static PrometheusText scrapeUntil(String what, Predicate<PrometheusText> condition) throws Exception {
        long end = System.nanoTime() + DEADLINE.toNanos();
        for (;;) {
            PrometheusText metrics = scrape();
            if (condition.test(metrics)) {
                return metrics;
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("not true within " + DEADLINE + ": " + what + "; last scrape: " + metrics.samples);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void countersMoveAsRequestsAreServed() throws Exception {
        PrometheusText before = scrape();
        double ok = before.value("fileserver_responses_total{status=\"2xx\"}");
        double missing = before.value("fileserver_responses_total{status=\"4xx\"}");
        double bytes = before.value("fileserver_sent_bytes_total");
        double opensTried = opens(before);
        for (int i = 0; i < 3; i++) {
            assertEquals(200, get("/hello.txt").statusCode());
        }
        HttpResponse<byte[]> notFound = get("/missing");
        assertEquals(404, notFound.statusCode());

        PrometheusText after = scrapeUntil("four responses counted", m ->
                m.value("fileserver_responses_total{status=\"2xx\"}") == ok + 3
                        && m.value("fileserver_responses_total{status=\"4xx\"}") == missing + 1);
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
        double idle = scrapeUntil("no file connection open", m -> m.value("fileserver_connections") == connections())
                .value("fileserver_connections");
        try (RawHttp first = raw(); RawHttp second = raw()) {
            assertEquals(200, first.get("/hello.txt").status());
            assertEquals(200, second.get("/hello.txt").status());
            assertEquals(idle + 2, scrape().value("fileserver_connections"));
        }
        scrapeUntil("both connections closed", m -> m.value("fileserver_connections") == idle);
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
