package io.linuxaio.examples;

import io.linuxaio.LinuxAio;
import io.linuxaio.examples.http.AccessLogFormat;
import io.linuxaio.examples.http.FileServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The static file server's command line, parsed and checked before anything starts.
 *
 * @param root the directory to serve, or null for the demo site
 * @param cert a PEM certificate chain for {@code --tls}, or null for a self-signed one
 * @param key the PEM private key that goes with {@code cert}
 * @param tlsProtocols the TLS versions {@code --tls} accepts, such as {@code TLSv1.3}
 * @param maxConnections the most connections open at once
 * @param cacheControl the {@code Cache-Control} value sent with files, or null for none
 * @param logFormat the access log's line format
 * @param metrics whether to serve Prometheus metrics, on {@code metricsBind} and {@code metricsPort}
 * @param statusSeconds how often to print a status line on stderr; 0 for only at stop
 */
record Options(Path root, int port, String bind, int threads, int aioThreads, int maxConnections, boolean tls,
               Path cert, Path key, List<String> tlsProtocols, String cacheControl, boolean quiet,
               AccessLogFormat logFormat, boolean metrics, int metricsPort, String metricsBind, int statusSeconds,
               boolean help) {

    static final int DEFAULT_PORT = 8080;
    static final String DEFAULT_BIND = "127.0.0.1";
    /** The engine's own cap: the pool grows past its first 8 workers only while they wait on a disk. */
    static final int DEFAULT_AIO_THREADS = LinuxAio.DEFAULT_MAX_PARALLEL;
    /**
     * TLS 1.3 only: it has no renegotiation for a client to abuse, and every current browser and
     * tool speaks it. TLS 1.2 is there for older clients on request.
     */
    static final List<String> DEFAULT_TLS_PROTOCOLS = List.of("TLSv1.3");
    static final List<String> KNOWN_TLS_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    /**
     * Not the file port: what the server says about itself is for its operator, not for every
     * client, so it listens apart, on loopback unless told otherwise. 9180 is unused by the common
     * exporters (9100 node, 9113 nginx).
     */
    static final int DEFAULT_METRICS_PORT = 9180;
    static final String DEFAULT_METRICS_BIND = "127.0.0.1";
    /** A day: a longer interval is a typo for a shorter one. */
    static final int MAX_STATUS_SECONDS = 86_400;

    /** Upper bound for both thread counts: more would only be a typo. */
    static final int MAX_THREADS = 1024;

    static final String USAGE = """
            Usage: java -jar static-file-server.jar [options]

            Serves the files under a directory over HTTP/1.1 and HTTP/2 (h2 over TLS through ALPN,
            h2c by prior knowledge or by upgrade). Netty's epoll event loops never wait for the disk:
            they open, stat, read and sendfile only what the page cache holds, in forms the kernel
            promises will not wait for it, and hand everything else to the linux-aio worker pool.

            Options:
              --root DIR         directory to serve (default: the bundled demo site)
              --port N           TCP port, 0 for any free one (default: 8080)
              --bind ADDR        address to listen on (default: 127.0.0.1)
              --threads N        event loop threads (default: the number of processors)
              --aio-threads N    most linux-aio worker threads (default: 256; more than 8
                                 start only while the disk keeps requests waiting)
              --max-connections N  most connections open at once; more are closed as they come
                                 (default: half of what the open-file limit leaves after 128)
              --tls              serve HTTPS; with no --cert/--key a self-signed certificate is made
              --cert FILE        PEM certificate chain for --tls (needs --key)
              --key FILE         PEM private key for --tls (needs --cert)
              --tls-protocols LIST  TLS versions --tls accepts, comma-separated (default: TLSv1.3;
                                 TLSv1.3,TLSv1.2 lets older clients in, without renegotiation)
              --cache-control VALUE  Cache-Control sent with files (200, 206, 304), such as
                                 "public, max-age=3600"; never with listings or errors
                                 (default: none)
              --quiet            no access log on stdout
              --log-format FMT   access log lines: common, or combined, which adds the referer
                                 and the user agent (default: common)
              --metrics          serve Prometheus metrics at /metrics, on a port of their own
              --metrics-port N   port for --metrics, 0 for any free one (default: 9180)
              --metrics-bind ADDR  address for --metrics (default: 127.0.0.1; the metrics tell
                                 whoever can reach them how the server is doing)
              --status-interval S  print a status line (connections, responses, engine queues,
                                 workers, first-try counters) on stderr every S seconds, 0 for
                                 only when the server stops (default: 0)
              --help             show this text

            Netty's leak detector is off; java -Dio.netty.leakDetection.level=simple -jar ...
            turns it back on.
            """;

    /** A command line that cannot be run; its message says why, for a person. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    static Options parse(String... args) throws UsageException {
        Path root = null;
        Path cert = null;
        Path key = null;
        int port = DEFAULT_PORT;
        String bind = DEFAULT_BIND;
        int threads = Runtime.getRuntime().availableProcessors();
        int aioThreads = DEFAULT_AIO_THREADS;
        int maxConnections = FileServer.defaultMaxConnections();
        List<String> tlsProtocols = null;
        String cacheControl = null;
        boolean tls = false;
        boolean quiet = false;
        AccessLogFormat logFormat = null;
        boolean metrics = false;
        Integer metricsPort = null;
        String metricsBind = null;
        int statusSeconds = 0;
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name = arg;
            String inline = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                inline = arg.substring(eq + 1);
            }
            switch (name) {
                case "--root", "--port", "--bind", "--threads", "--aio-threads", "--max-connections", "--cert", "--key",
                     "--tls-protocols", "--cache-control", "--log-format", "--metrics-port", "--metrics-bind",
                     "--status-interval" -> {
                    String value;
                    if (inline != null) {
                        value = inline;
                    } else if (i + 1 < args.length) {
                        value = args[++i];
                    } else {
                        throw new UsageException(name + " needs a value");
                    }
                    if (value.isEmpty()) {
                        throw new UsageException(name + " needs a value");
                    }
                    switch (name) {
                        case "--root" -> root = path(name, value);
                        case "--port" -> port = number(name, value, 0, 65535);
                        case "--bind" -> bind = value;
                        case "--threads" -> threads = number(name, value, 1, MAX_THREADS);
                        case "--aio-threads" -> aioThreads = number(name, value, 1, MAX_THREADS);
                        case "--max-connections" -> maxConnections = number(name, value, 1, Integer.MAX_VALUE);
                        case "--cert" -> cert = path(name, value);
                        case "--tls-protocols" -> tlsProtocols = protocols(value);
                        case "--cache-control" -> cacheControl = headerValue(name, value);
                        case "--log-format" -> logFormat = logFormat(value);
                        case "--metrics-port" -> metricsPort = number(name, value, 0, 65535);
                        case "--metrics-bind" -> metricsBind = value;
                        case "--status-interval" -> statusSeconds = number(name, value, 0, MAX_STATUS_SECONDS);
                        default -> key = path(name, value);
                    }
                }
                case "--tls", "--quiet", "--metrics", "--help", "-h" -> {
                    if (inline != null) {
                        throw new UsageException(name + " takes no value");
                    }
                    switch (name) {
                        case "--tls" -> tls = true;
                        case "--quiet" -> quiet = true;
                        case "--metrics" -> metrics = true;
                        default -> help = true;
                    }
                }
                default -> throw new UsageException(arg.startsWith("-")
                        ? "unknown option " + arg : "unexpected argument " + arg);
            }
        }
        if ((cert == null) != (key == null)) {
            throw new UsageException(cert == null ? "--key needs --cert" : "--cert needs --key");
        }
        if (cert != null && !tls) {
            throw new UsageException("--cert and --key are used only with --tls");
        }
        if (tlsProtocols != null && !tls) {
            throw new UsageException("--tls-protocols is used only with --tls");
        }
        if ((metricsPort != null || metricsBind != null) && !metrics) {
            throw new UsageException((metricsPort != null ? "--metrics-port" : "--metrics-bind") + " is used only with --metrics");
        }
        if (logFormat != null && quiet) {
            throw new UsageException("--log-format has no log to format with --quiet");
        }
        return new Options(root, port, bind, threads, aioThreads, maxConnections, tls, cert, key,
                tlsProtocols != null ? tlsProtocols : DEFAULT_TLS_PROTOCOLS, cacheControl, quiet,
                logFormat != null ? logFormat : AccessLogFormat.COMMON, metrics,
                metricsPort != null ? metricsPort : DEFAULT_METRICS_PORT,
                metricsBind != null ? metricsBind : DEFAULT_METRICS_BIND, statusSeconds, help);
    }

    /**
     * A path the JVM can name. Under the C locale (no LANG, as under systemd and in many containers)
     * its file-name charset is ASCII, and a name such as {@code /srv/café} cannot be a Path at all.
     */
    private static Path path(String name, String value) throws UsageException {
        try {
            return Path.of(value);
        } catch (java.nio.file.InvalidPathException e) {
            throw new UsageException(name + " " + value + " cannot be named with this JVM's file-name charset ("
                    + System.getProperty("sun.jnu.encoding") + "); run it with LANG=C.UTF-8");
        }
    }

    private static List<String> protocols(String value) throws UsageException {
        List<String> protocols = new ArrayList<>();
        for (String protocol : value.split(",", -1)) {
            String name = protocol.strip();
            if (!KNOWN_TLS_PROTOCOLS.contains(name)) {
                throw new UsageException("--tls-protocols takes " + String.join(" and ", KNOWN_TLS_PROTOCOLS)
                        + ", not '" + name + "'");
            }
            if (!protocols.contains(name)) {
                protocols.add(name);
            }
        }
        return List.copyOf(protocols);
    }

    /** A header value as sent: visible ASCII and spaces, so nothing can end the header or start another. */
    private static String headerValue(String name, String value) throws UsageException {
        try {
            return FileServer.checkHeaderValue(value.strip());
        } catch (IllegalArgumentException e) {
            throw new UsageException(name + " " + e.getMessage());
        }
    }

    private static AccessLogFormat logFormat(String value) throws UsageException {
        return switch (value) {
            case "common" -> AccessLogFormat.COMMON;
            case "combined" -> AccessLogFormat.COMBINED;
            default -> throw new UsageException("--log-format takes common or combined, not '" + value + "'");
        };
    }

    private static int number(String name, String value, int min, int max) throws UsageException {
        int n;
        try {
            n = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new UsageException(name + " needs a number, not '" + value + "'");
        }
        if (n < min || n > max) {
            throw new UsageException(name + " must be between " + min + " and " + max + ", not " + n);
        }
        return n;
    }
}
