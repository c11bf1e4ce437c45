package io.linuxaio.examples.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linuxaio.examples.ChildJvm;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The first log line at EMFILE: java.util.logging's formatter loads the time-zone file then, which
 * fails, and the Error it throws killed the event loop that logged. After {@link LoggingWarmUp}, as
 * the server runs it at start, the line is written. Run in a JVM of its own, with a small
 * descriptor limit, and without SLF4J, so Netty logs through java.util.logging as in the server's jar.
 */
class LoggingWarmUpTest {

    private static Outcome probe(String... args) throws Exception {
        Process p = new ProcessBuilder(ChildJvm.command(List.of("prlimit", "--nofile=128:128"), List.of(),
                EmfileLogProbe.class, args)).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Outcome(p.exitValue(), output);
    }

    private record Outcome(int status, String output) {}

    @Test
    void afterTheWarmUpALogLineAtEmfileIsWritten() throws Exception {
        Outcome warm = probe("warm");
        assertEquals(0, warm.status(), warm.output());
        assertTrue(warm.output().contains("a warning at EMFILE"), warm.output());
        assertTrue(warm.output().contains("logged"), warm.output());
    }

    /** The failure the warm-up prevents, so the test above is known to test something. */
    @Test
    void withoutItTheSameLineThrows() throws Exception {
        Outcome cold = probe("cold");
        assertEquals(1, cold.status(), cold.output());
        assertTrue(cold.output().contains("the log line threw"), cold.output());
    }
}
