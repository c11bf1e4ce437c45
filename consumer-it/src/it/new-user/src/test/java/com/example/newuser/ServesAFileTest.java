package com.example.newuser;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The new user's server on the class path, with the artifacts resolved through the two BOMs. */
class ServesAFileTest {
    @Test
    void aioFileHandlerServesTheFileByteForByte(@TempDir Path dir) throws Exception {
        byte[] content = new byte[300_000]; // several of AioFileHandler's chunks
        new Random(15).nextBytes(content);
        Path file = Files.write(dir.resolve("data.bin"), content);
        try (OneFileServer server = OneFileServer.start(file.toString())) {
            assertArrayEquals(content, OneFileServer.fetch(server.port()));
        }
    }

    @Test
    void aFileThatIsGoneGetsAnErrorStatus(@TempDir Path dir) throws Exception {
        try (OneFileServer server = OneFileServer.start(dir.resolve("absent").toString())) {
            IOException e = assertThrows(IOException.class, () -> OneFileServer.fetch(server.port()));
            assertEquals("HTTP 500", e.getMessage());
        }
    }
}
