package io.linuxaio.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OptionsTest {

    @Test
    void defaultsServeTheDemoSiteOnLoopback8080() throws Exception {
        Options options = Options.parse();
        assertNull(options.root());
        assertEquals(8080, options.port());
        assertEquals("127.0.0.1", options.bind());
        assertEquals(Runtime.getRuntime().availableProcessors(), options.threads());
        assertEquals(Options.DEFAULT_AIO_THREADS, options.aioThreads());
        assertFalse(options.tls());
        assertNull(options.cacheControl());
        assertFalse(options.quiet());
        assertFalse(options.help());
        assertFalse(options.metrics(), "no metrics unless asked");
        assertEquals("127.0.0.1", options.metricsBind());
        assertEquals(io.linuxaio.examples.http.AccessLogFormat.COMMON, options.logFormat());
        assertEquals(0, options.statusSeconds());
    }

    /**
     * Each default {@code --help} states, as the value {@code Options.parse()} gives with no
     * arguments would be stated. A default given in words maps to the value it stands for here.
     */
    private static final Map<String, Function<Options, String>> STATED = Map.ofEntries(
            Map.entry("--root", o -> o.root() == null ? "the bundled demo site" : o.root().toString()),
            Map.entry("--port", o -> Integer.toString(o.port())),
            Map.entry("--bind", Options::bind),
            Map.entry("--threads", o -> o.threads() == Runtime.getRuntime().availableProcessors()
                    ? "the number of processors" : Integer.toString(o.threads())),
            Map.entry("--aio-threads", o -> Integer.toString(o.aioThreads())),
            Map.entry("--max-connections", o -> o.maxConnections() == (limitOfOpenFiles() - 128) / 2
                    ? "half of what the open-file limit leaves after 128" : Integer.toString(o.maxConnections())),
            Map.entry("--tls-protocols", o -> String.join(",", o.tlsProtocols())),
            Map.entry("--log-format", o -> o.logFormat().name().toLowerCase(java.util.Locale.ROOT)),
            Map.entry("--metrics-port", o -> Integer.toString(o.metricsPort())),
            Map.entry("--metrics-bind", Options::metricsBind),
            Map.entry("--status-interval", o -> Integer.toString(o.statusSeconds())),
            Map.entry("--cache-control", o -> o.cacheControl() == null ? "none" : o.cacheControl()));

    /** This JVM's soft limit on open descriptors, as the kernel reports it. */
    private static long limitOfOpenFiles() {
        try {
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    return Long.parseLong(line.substring("Max open files".length()).strip().split("\\s+")[0]);
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        throw new AssertionError("no open-file limit in /proc/self/limits");
    }

    @Test
    void theDefaultsHelpStatesAreTheRealOnes() throws Exception {
        Map<String, String> stated = statedDefaults(Options.USAGE);
        assertTrue(stated.keySet().containsAll(STATED.keySet()), "help states no default for some of " + STATED.keySet()
                + ": " + stated);
        Options defaults = Options.parse();
        for (Map.Entry<String, String> option : stated.entrySet()) {
            Function<Options, String> actual = STATED.get(option.getKey());
            if (actual == null) {
                throw new AssertionError("help states a default for " + option.getKey() + " that this test does not know");
            }
            assertEquals(option.getValue(), actual.apply(defaults), option.getKey());
        }
    }

    /** Option name to the text after "(default: " up to ")" or ";", across the option's wrapped lines. */
    private static Map<String, String> statedDefaults(String usage) {
        Map<String, String> defaults = new LinkedHashMap<>();
        String option = null;
        StringBuilder text = new StringBuilder();
        for (String line : (usage + "\n  --end").split("\n")) {
            Matcher start = Pattern.compile("^ {2}(--[a-z-]+)").matcher(line);
            if (start.find() || line.isBlank()) {
                if (option != null) {
                    Matcher stated = Pattern.compile("\\(default: ([^;)]+)[;)]").matcher(text.toString().replaceAll("\\s+", " "));
                    if (stated.find()) {
                        defaults.put(option, stated.group(1).trim());
                    }
                }
                option = line.isBlank() ? null : start.group(1);
                text.setLength(0);
            }
            text.append(' ').append(line.strip());
        }
        return defaults;
    }

    @Test
    void everyOptionIsRead() throws Exception {
        Options options = Options.parse("--root", "/srv/www", "--port", "0", "--bind", "::1", "--threads", "3",
                "--aio-threads=16", "--max-connections", "5000", "--tls", "--cert", "c.pem", "--key=k.pem", "--tls-protocols", "TLSv1.2, TLSv1.3",
                "--log-format", "combined", "--metrics", "--metrics-port=0", "--metrics-bind", "::1",
                "--status-interval", "60", "--cache-control", "public, max-age=3600");
        assertEquals(Path.of("/srv/www"), options.root());
        assertEquals(0, options.port());
        assertEquals("::1", options.bind());
        assertEquals(3, options.threads());
        assertEquals(16, options.aioThreads());
        assertEquals(5000, options.maxConnections());
        assertTrue(options.tls());
        assertEquals(Path.of("c.pem"), options.cert());
        assertEquals(Path.of("k.pem"), options.key());
        assertEquals(java.util.List.of("TLSv1.2", "TLSv1.3"), options.tlsProtocols());
        assertEquals("public, max-age=3600", options.cacheControl());
        assertEquals(io.linuxaio.examples.http.AccessLogFormat.COMBINED, options.logFormat());
        assertTrue(options.metrics());
        assertEquals(0, options.metricsPort());
        assertEquals("::1", options.metricsBind());
        assertEquals(60, options.statusSeconds());
        assertTrue(Options.parse("--quiet").quiet());
    }

    @Test
    void helpIsRecognised() throws Exception {
        assertTrue(Options.parse("--help").help());
        assertTrue(Options.parse("-h").help());
        assertTrue(Options.USAGE.contains("--aio-threads N"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--port|--port needs a value",
            "--port abc|--port needs a number, not 'abc'",
            "--port 65536|--port must be between 0 and 65535, not 65536",
            "--port -1|--port must be between 0 and 65535, not -1",
            "--threads 0|--threads must be between 1 and 1024, not 0",
            "--aio-threads 99999|--aio-threads must be between 1 and 1024, not 99999",
            "--max-connections 0|--max-connections must be between 1 and 2147483647, not 0",
            "--root=|--root needs a value",
            "--bogus|unknown option --bogus",
            "stray|unexpected argument stray",
            "--tls=yes|--tls takes no value",
            "--tls --cert c.pem|--cert needs --key",
            "--tls --key k.pem|--key needs --cert",
            "--cert c.pem --key k.pem|--cert and --key are used only with --tls",
            "--tls --tls-protocols TLSv1.1|--tls-protocols takes TLSv1.3 and TLSv1.2, not 'TLSv1.1'",
            "--tls --tls-protocols TLSv1.3,|--tls-protocols takes TLSv1.3 and TLSv1.2, not ''",
            "--tls-protocols TLSv1.2|--tls-protocols is used only with --tls",
            "--log-format json|--log-format takes common or combined, not 'json'",
            "--quiet --log-format combined|--log-format has no log to format with --quiet",
            "--metrics-port 9000|--metrics-port is used only with --metrics",
            "--metrics-bind 0.0.0.0|--metrics-bind is used only with --metrics",
            "--metrics=yes|--metrics takes no value",
            "--metrics --metrics-port 70000|--metrics-port must be between 0 and 65535, not 70000",
            "--status-interval -1|--status-interval must be between 0 and 86400, not -1",
            "--cache-control=|--cache-control needs a value"})
    void badArgumentsSayWhatIsWrong(String args, String message) {
        Options.UsageException e = assertThrows(Options.UsageException.class, () -> Options.parse(args.split(" ")));
        assertEquals(message, e.getMessage());
    }

    @Test
    void aCacheControlValueThatCouldEndTheHeaderIsRefused() {
        for (String value : new String[] {"max-age=1\r\nX-Evil: 1", "max-age=1\nX-Evil: 1", "max-age=1\u0000", "caf\u00e9"}) {
            Options.UsageException e = assertThrows(Options.UsageException.class,
                    () -> Options.parse("--cache-control", value));
            assertEquals("--cache-control may hold only visible ASCII and spaces", e.getMessage());
        }
    }
}
