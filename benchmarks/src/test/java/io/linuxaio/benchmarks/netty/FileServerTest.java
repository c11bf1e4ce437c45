package io.linuxaio.benchmarks.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linuxaio.LinuxAio;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The benchmark's servers send exactly the named file, and its client notices when they do not. */
class FileServerTest {
    private static final long SHORT = TimeUnit.MILLISECONDS.toNanos(300);

    @TempDir Path dir;
    private LinuxAio aio;
    private List<ServedFile> files;

    @BeforeEach
    void setUp() throws IOException {
        aio = new LinuxAio();
        // 200,000 bytes: three full 64 KiB chunks and a short last one.
        files = List.of(ServedFile.write(dir, 'S', "small", 1000, 1), ServedFile.write(dir, 'L', "large", 200_000, 2));
    }

    @AfterEach
    void tearDown() {
        aio.close();
    }

    @ParameterizedTest
    @EnumSource(FileServer.Kind.class)
    void everyKindSendsEachNamedFileWhole(FileServer.Kind kind) throws Exception {
        try (FileServer server = FileServer.start(kind, 2, aio, files)) {
            for (ServedFile file : files) {
                // Each connection checks every byte of its first response before it looks at the
                // clock, so a kind that sends a wrong, short or long file throws here, however few
                // responses the window counts (none, on a slow enough machine).
                LoadClient.Measurement m = LoadClient.run(server.port(), file, 3, 0, SHORT);
                assertEquals(m.requests() * file.size(), m.bytes());
            }
        }
    }

    @Test
    void clientFailsOnBytesThatDifferFromTheFile() throws Exception {
        ServedFile large = files.get(1);
        byte[] wrong = large.content().clone();
        wrong[wrong.length - 1] ^= 1;
        ServedFile expectingWrong = new ServedFile(large.request(), large.label(), large.path(), wrong);
        try (FileServer server = FileServer.start(FileServer.Kind.AIO_FILE_HANDLER, 2, aio, files)) {
            IOException e =
                    assertThrows(IOException.class, () -> LoadClient.run(server.port(), expectingWrong, 1, 0, SHORT));
            assertTrue(
                    Arrays.stream(e.getSuppressed()).anyMatch(s -> s.getMessage().startsWith("wrong bytes")),
                    Arrays.toString(e.getSuppressed()));
        }
    }

    @Test
    void clientFailsWhenTheServerSendsMoreThanTheFile() throws Exception {
        // Expecting the small file's size while the server sends the large one leaves bytes unread.
        ServedFile large = files.get(1);
        ServedFile truncated =
                new ServedFile(large.request(), large.label(), large.path(), Arrays.copyOf(large.content(), 1000));
        try (FileServer server = FileServer.start(FileServer.Kind.DEFAULT_FILE_REGION, 2, aio, files)) {
            assertThrows(IOException.class, () -> LoadClient.run(server.port(), truncated, 1, 0, SHORT));
        }
    }

    @Test
    void serverClosesAConnectionThatNamesNoFile() throws Exception {
        ServedFile unknown = new ServedFile((byte) 'X', "unknown", files.get(0).path(), files.get(0).content());
        try (FileServer server = FileServer.start(FileServer.Kind.CHUNKED_NIO_FILE, 2, aio, files)) {
            IOException e = assertThrows(IOException.class, () -> LoadClient.run(server.port(), unknown, 1, 0, SHORT));
            assertTrue(
                    Arrays.stream(e.getSuppressed()).anyMatch(s -> s.getMessage().startsWith("end of stream")),
                    Arrays.toString(e.getSuppressed()));
        }
    }
}
