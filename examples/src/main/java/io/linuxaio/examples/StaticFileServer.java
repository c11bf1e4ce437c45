package io.linuxaio.examples;

import io.linuxaio.examples.http.FileServer;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ResourceLeakDetector;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The static file server's command line: serves a directory (by default a demo site) over HTTP/1.1
 * and HTTP/2, in clear text or over TLS, until SIGINT or SIGTERM, then finishes the responses in
 * flight and exits with status 0.
 * At start it raises its soft limit on open descriptors to the hard one. Run with {@code --help}
 * for the options.
 *
 * <p>Netty's leak detector is off unless the command line sets its level
 * ({@code -Dio.netty.leakDetection.level=simple} turns it back on). Left at Netty's default it
 * records a stack trace for about one buffer in a hundred, and on the benchmark machine that cost
 * this server 2 % of its requests/s at 1 KiB over HTTP/1.1 and 6 % over HTTP/2 (side by side,
 * warmed, 1 KiB, the same jar with and without it). The tests run {@link FileServer} in their own
 * JVM with it at its strictest, where it tracks every buffer.
 */
public final class StaticFileServer {
    /** Exit status for a command line that cannot be run. */
    static final int USAGE_ERROR = 2;
    /** Exit status when the server cannot start (root unreadable, port taken, bad certificate). */
    static final int START_ERROR = 1;

    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(30);

    /** Netty's leak detector's level, and the older name it still reads. */
    static final String LEAK_DETECTION_LEVEL = "io.netty.leakDetection.level";
    static final String LEAK_DETECTION_LEVEL_OLD_NAME = "io.netty.leakDetectionLevel";

    private StaticFileServer() {}

    public static void main(String[] args) {
        leakDetectionOffUnlessChosen();
        TlsContexts.refuseClientRenegotiation(); // before anything could start a TLS handshake
        FileServer.raiseOpenFileLimit(); // before the default connection cap is worked out from it
        Options options;
        try {
            options = Options.parse(args);
        } catch (Options.UsageException e) {
            fail(USAGE_ERROR, e.getMessage(), true);
            return;
        }
        if (options.help()) {
            System.out.print(Options.USAGE);
            return;
        }
        if (options.root() != null && !Files.isDirectory(options.root())) {
            fail(USAGE_ERROR, "--root " + options.root() + " is not a directory", false);
            return;
        }
        DemoSite demo = null;
        FileServer server;
        try {
            if (options.root() == null) {
                demo = DemoSite.unpack();
            }
            SslContext ssl = !options.tls() ? null
                    : options.cert() != null ? TlsContexts.fromPem(options.cert(), options.key(), options.tlsProtocols())
                    : TlsContexts.selfSigned(options.tlsProtocols());
            PrintStream out = System.out;
            FileServer.Builder builder = FileServer.builder(demo != null ? demo.root() : options.root())
                    .bind(options.bind())
                    .port(options.port())
                    .threads(options.threads())
                    .aioThreads(options.aioThreads())
                    .maxConnections(options.maxConnections())
                    .tls(ssl)
                    .cacheControl(options.cacheControl())
                    .accessLog(options.quiet() ? null : out::println)
                    .accessLogFormat(options.logFormat());
            if (options.metrics()) {
                builder.metrics(options.metricsBind(), options.metricsPort());
            }
            server = builder.start();
        } catch (IOException | RuntimeException e) {
            if (demo != null) {
                demo.close();
            }
            fail(START_ERROR, "cannot start: " + (e.getMessage() != null ? e.getMessage() : e.toString()), false);
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        DemoSite site = demo;
        if (site != null) {
            try {
                site.showUrl(server.uri());
            } catch (IOException e) {
                System.err.println("static-file-server: the demo page keeps its default URL: " + e.getMessage());
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(server, site), "static-file-server-stop"));
        System.out.println("Serving " + server.root() + (site != null ? " (the demo site)" : "") + " at " + server.uri());
        if (server.metricsUri() != null) {
            System.out.println("Metrics at " + server.metricsUri());
        }
        System.out.println("Press Ctrl-C to stop.");
        System.out.flush();
        if (options.statusSeconds() > 0) {
            printStatusEvery(server, options.statusSeconds());
        }
        // The event loop threads keep the JVM alive; the hook above ends it.
    }

    /**
     * A status line on stderr every {@code seconds}, as an operator tails a log; stderr, so the
     * access log on stdout stays one format. A daemon thread of its own: a slow stderr holds up no
     * event loop.
     */
    private static void printStatusEvery(FileServer server, int seconds) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "static-file-server-status");
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleAtFixedRate(() -> printStatus(server), seconds, seconds, TimeUnit.SECONDS);
    }

    private static void printStatus(FileServer server) {
        System.err.println("static-file-server: status: " + server.statusLine());
        System.err.flush();
    }

    /**
     * On SIGINT or SIGTERM: finish the responses in flight, release everything, and exit 0. Without
     * the halt the JVM would report the signal (130 or 143) although the server stopped cleanly.
     */
    private static void stop(FileServer server, DemoSite site) {
        int status = 0;
        try {
            server.close(SHUTDOWN_GRACE); // copes with event loops that died
            printStatus(server); // the totals, every response counted
            if (site != null) {
                site.close();
            }
            System.out.println("Stopped.");
        } catch (Throwable e) {
            status = 1;
            System.err.println("static-file-server: stopping failed: " + e);
        } finally {
            // Whatever happened above, the process ends here, with the status that says how.
            System.out.flush();
            System.err.flush();
            Runtime.getRuntime().halt(status);
        }
    }

    /** Turns Netty's leak detector off, unless the command line chose a level (the class comment says why). */
    static void leakDetectionOffUnlessChosen() {
        if (System.getProperty(LEAK_DETECTION_LEVEL) == null && System.getProperty(LEAK_DETECTION_LEVEL_OLD_NAME) == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
    }

    private static void fail(int status, String message, boolean usage) {
        System.err.println("static-file-server: " + message);
        if (usage) {
            System.err.println();
            System.err.print(Options.USAGE);
        }
        System.err.flush();
        System.exit(status);
    }
}
