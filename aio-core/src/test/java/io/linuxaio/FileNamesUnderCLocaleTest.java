package io.linuxaio;

import static io.linuxaio.Fcntl.O_RDONLY;
import static io.linuxaio.Polling.await;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Under the C locale (no LANG: systemd services, most containers) the JDK's own file-name charset
 * is ASCII. The engine must still name files by their UTF-8 bytes, never by a lossy '?', and the
 * names readdir and realpath return must open, stat and unlink the very files they came from.
 * The engine runs in a child JVM started with LC_ALL=C; the files are made by the shell, byte by
 * byte, so no charset of ours is involved in making them.
 */
class FileNamesUnderCLocaleTest {
    @TempDir Path dir;

    @Test
    void namesAreBytesWhateverTheJvmLocale() throws Exception {
        shell("printf utf8 > \"$(printf 'caf\\303\\251.txt')\"; printf question > 'caf?.txt';"
                + " printf latin1 > \"$(printf 'caf\\351.txt')\"; printf u > \"$(printf '\\303\\274')\"; printf q > '?'");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                Child.class.getName(), dir.toString()).redirectErrorStream(true);
        child.environment().keySet().removeIf(k -> k.startsWith("LC_") || k.equals("LANG") || k.equals("LANGUAGE"));
        child.environment().put("LC_ALL", "C");
        Process process = child.start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish");
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertEquals(0, process.exitValue(), out);

        assertTrue(out.contains("jnu ANSI_X3.4-1968"), "the child really ran with an ASCII file-name charset: " + out);
        assertTrue(out.contains("open-cafe utf8\n"), "café.txt opens café.txt, not caf?.txt: " + out);
        // Every listed name, handed back, opens the file it came from, the Latin-1 one included.
        assertTrue(out.contains("listed caf\\u00e9.txt=utf8\n"), out);
        assertTrue(out.contains("listed caf\\udce9.txt=latin1\n"), out);
        assertTrue(out.contains("listed caf?.txt=question\n"), out);
        assertTrue(out.contains("realpath-roundtrip true\n"), out);
        assertTrue(out.contains("unlinked u-umlaut\n"), out);
        assertTrue(Files.exists(dir.resolve("?")), "unlink of ü left the file named ? alone");
        assertEquals(List.of("3f", "636166273f2e747874".replace("27", ""), "636166c3a92e747874", "636166e92e747874"),
                hexNames(), "ü is gone; everything else is there");
    }

    private List<String> hexNames() throws Exception {
        Process ls = new ProcessBuilder("sh", "-c", "cd \"$1\" && for f in *; do printf '%s' \"$f\" | od -An -tx1 | tr -d ' \\n'; echo; done",
                "sh", dir.toString()).start();
        assertTrue(ls.waitFor(30, TimeUnit.SECONDS));
        List<String> names = new ArrayList<>(List.of(new String(ls.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)
                .strip().split("\n")));
        names.sort(null);
        return names;
    }

    private void shell(String script) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", "cd \"$1\" && " + script, "sh", dir.toString()).inheritIO().start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, script);
    }

    /** Runs in the child JVM; its arguments are ASCII, so the locale cannot touch them. */
    static final class Child {
        public static void main(String[] args) throws Exception {
            String dir = args[0];
            System.out.println("jnu " + System.getProperty("sun.jnu.encoding"));
            try (LinuxAio aio = new LinuxAio()) {
                System.out.println("open-cafe " + read(aio, dir + "/caf\u00e9.txt"));
                TreeMap<String, String> listed = new TreeMap<>();
                for (String name : await(aio, aio.readdir(dir, null))) {
                    listed.put(escape(name), read(aio, dir + "/" + name));
                }
                listed.forEach((name, content) -> System.out.println("listed " + name + "=" + content));
                String latin1 = dir + "/caf\uDCE9.txt";
                System.out.println("realpath-roundtrip " + await(aio, aio.realpath(latin1, null)).endsWith("/caf\uDCE9.txt"));
                await(aio, aio.unlink(dir + "/\u00fc", null));
                System.out.println("unlinked u-umlaut");
            }
        }

        private static String read(LinuxAio aio, String path) throws Exception {
            AioFile file = await(aio, aio.open(path, O_RDONLY, 0, null));
            byte[] buf = new byte[64];
            int n = await(aio, aio.read(file, 0, buf.length, buf, 0, null));
            await(aio, aio.close(file, null));
            return new String(buf, 0, n, StandardCharsets.US_ASCII);
        }

        private static String escape(String name) {
            StringBuilder out = new StringBuilder();
            for (char c : name.toCharArray()) {
                out.append(c < 0x80 ? String.valueOf(c) : String.format("\\u%04x", (int) c));
            }
            return out.toString();
        }
    }
}
