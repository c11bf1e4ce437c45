package io.linuxaio;

import static io.linuxaio.Fcntl.*;
import static io.linuxaio.Polling.await;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Programming errors throw in the caller, and no request is made for them. */
class ArgumentsTest {
    @TempDir Path dir;
    private final LinuxAio aio = new LinuxAio();
    private AioFile file;

    @BeforeEach
    void openFile() throws Exception {
        Files.write(dir.resolve("f"), new byte[100]);
        file = await(aio, aio.open(dir.resolve("f").toString(), O_RDWR, 0, null));
    }

    @AfterEach
    void closeEngine() throws Exception {
        if (!file.isClosed()) {
            await(aio, aio.close(file, null));
        }
        aio.close();
    }

    private void refused(Class<? extends Throwable> type, Executable call) {
        assertThrows(type, call);
        assertEquals(0, aio.nreqs(), "a refused call must not leave a request behind");
    }

    @Test
    void nullsAreRefused() {
        refused(NullPointerException.class, () -> aio.open(null, O_RDONLY, 0, null));
        refused(NullPointerException.class, () -> aio.stat((String) null, null));
        refused(NullPointerException.class, () -> aio.stat((AioFile) null, null));
        refused(NullPointerException.class, () -> aio.read(null, 0, 1, new byte[1], 0, null));
        refused(NullPointerException.class, () -> aio.read(file, 0, 1, null, 0, null));
        refused(NullPointerException.class, () -> aio.read(file, 0, null, null));
        refused(NullPointerException.class, () -> aio.close(null, null));
    }

    @Test
    void negativeOffsetsAndLengthsAreRefused() {
        refused(IllegalArgumentException.class, () -> aio.read(file, -1, 1, new byte[1], 0, null));
        refused(IllegalArgumentException.class, () -> aio.read(file, 0, -1, new byte[1], 0, null));
        refused(IllegalArgumentException.class, () -> aio.write(file, -5, ByteBuffer.allocate(1), null));
        refused(IllegalArgumentException.class, () -> aio.readahead(file, 0, -1, null));
        refused(IllegalArgumentException.class, () -> aio.read(file, Long.MAX_VALUE, 2, new byte[2], 0, null));
    }

    @Test
    void rangesPastTheArrayAreRefused() {
        refused(IndexOutOfBoundsException.class, () -> aio.read(file, 0, 11, new byte[10], 0, null));
        refused(IndexOutOfBoundsException.class, () -> aio.read(file, 0, 5, new byte[10], 6, null));
        refused(IndexOutOfBoundsException.class, () -> aio.write(file, 0, 1, new byte[10], -1, null));
        refused(IndexOutOfBoundsException.class, () -> aio.write(file, 0, Integer.MAX_VALUE, new byte[10], 1, null));
    }

    @Test
    void readOnlyBuffersCannotBeReadInto() {
        refused(ReadOnlyBufferException.class, () -> aio.read(file, 0, ByteBuffer.allocateDirect(4).asReadOnlyBuffer(), null));
    }

    @Test
    void pathsWithNulAndBadModesAreRefused() {
        refused(IllegalArgumentException.class, () -> aio.open(dir.resolve("f").toString() + "\0x", O_RDONLY, 0, null));
        refused(IllegalArgumentException.class, () -> aio.stat("a\0b", null));
        refused(IllegalArgumentException.class, () -> aio.open(dir.resolve("g").toString(), O_CREAT | O_WRONLY, 010000, null));
    }

    @Test
    void aClosedEngineRefusesRequestsAndPoolChanges() throws Exception {
        await(aio, aio.close(file, null));
        aio.close();
        refused(IllegalStateException.class, () -> aio.stat(dir.toString(), null));
        refused(IllegalStateException.class, () -> aio.newContext());
        assertThrows(IllegalStateException.class, () -> aio.minParallel(2));
        assertThrows(IllegalArgumentException.class, () -> aio.maxParallel(-1));
    }

    @Test
    void writingFromAReadOnlyHeapBufferWorks() throws Exception {
        ByteBuffer src = ByteBuffer.wrap("abc".getBytes()).asReadOnlyBuffer();
        assertEquals(3, await(aio, aio.write(file, 0, src, null)));
        assertEquals(3, src.position());
    }
}
