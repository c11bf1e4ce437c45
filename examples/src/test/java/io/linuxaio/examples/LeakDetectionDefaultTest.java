package io.linuxaio.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The shipped server turns Netty's leak detector off, but never over a level the command line
 * chose, under either of the names Netty reads. Each case in a JVM of its own, since the level is
 * the process's, and this test JVM runs with it set to paranoid.
 */
class LeakDetectionDefaultTest {

    private static String levelWith(String... jvmArgs) throws Exception {
        Process p = new ProcessBuilder(ChildJvm.command(List.of(), List.of(jvmArgs), LeakDetectionProbe.class))
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), output);
        assertEquals(0, p.exitValue(), output);
        return output.lines().filter(line -> line.startsWith("level=")).findFirst().orElse(output);
    }

    @Test
    void offWhenTheCommandLineSaysNothing() throws Exception {
        assertEquals("level=DISABLED", levelWith());
    }

    @Test
    void aLevelTheCommandLineChoseIsKept() throws Exception {
        assertEquals("level=SIMPLE", levelWith("-D" + StaticFileServer.LEAK_DETECTION_LEVEL + "=simple"));
        assertEquals("level=PARANOID", levelWith("-D" + StaticFileServer.LEAK_DETECTION_LEVEL + "=paranoid"));
    }

    @Test
    void soIsOneGivenUnderTheOlderName() throws Exception {
        assertEquals("level=ADVANCED", levelWith("-D" + StaticFileServer.LEAK_DETECTION_LEVEL_OLD_NAME + "=advanced"));
    }
}
