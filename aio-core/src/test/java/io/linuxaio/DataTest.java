package io.linuxaio;

import static io.linuxaio.Fcntl.*;
import static io.linuxaio.Polling.await;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Bytes written come back unchanged, whatever their size, offset or buffer form. */
class DataTest {
    private static final long FOUR_GIB = 4L << 30;

    @TempDir Path dir;
    private final LinuxAio aio = new LinuxAio();

    @AfterEach
    void closeEngine() {
        aio.close();
    }

    private static byte[] random(int size, long seed) {
        byte[] data = new byte[size];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < size; i++) {
            data[i] = (byte) random.nextInt();
        }
        return data;
    }

    private AioFile open(String name) throws AioException {
        return await(aio, aio.open(dir.resolve(name).toString(), O_RDWR | O_CREAT, 0600, null));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4095, 4096, 4097, Scratch.BOUNCE_BYTES - 1, Scratch.BOUNCE_BYTES + 1, 1 << 20, 16 << 20})
    void arraysRoundTripAtEverySize(int size) throws Exception {
        byte[] data = random(size, size);
        AioFile file = open("a");
        assertEquals(size, await(aio, aio.write(file, 0, size, data, 0, null)));
        byte[] back = new byte[size + 7];
        assertEquals(size, await(aio, aio.read(file, 0, size, back, 7, null)));
        assertArrayEquals(data, Arrays.copyOfRange(back, 7, size + 7));
        await(aio, aio.close(file, null));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4096, 1 << 20, 16 << 20})
    void directBuffersRoundTripAtEverySize(int size) throws Exception {
        byte[] data = random(size, 31L * size);
        AioFile file = open("d");
        ByteBuffer out = ByteBuffer.allocateDirect(size).put(data).flip();
        assertEquals(size, await(aio, aio.write(file, 0, out, null)));
        ByteBuffer in = ByteBuffer.allocateDirect(size);
        assertEquals(size, await(aio, aio.read(file, 0, in, null)));
        byte[] back = new byte[size];
        in.flip().get(back);
        assertArrayEquals(data, back);
        await(aio, aio.close(file, null));
    }

    @Test
    void offsetsPastFourGibWorkInASparseFile() throws Exception {
        AioFile file = open("sparse");
        byte[] data = random(10_000, 4);
        long offset = FOUR_GIB + 12_345;
        assertEquals(data.length, await(aio, aio.write(file, offset, data.length, data, 0, null)));
        assertEquals(offset + data.length, await(aio, aio.stat(file, null)).size());
        byte[] back = new byte[data.length];
        assertEquals(data.length, await(aio, aio.read(file, offset, back.length, back, 0, null)));
        assertArrayEquals(data, back);
        byte[] hole = new byte[100];
        Arrays.fill(hole, (byte) 1);
        assertEquals(100, await(aio, aio.read(file, FOUR_GIB, 100, hole, 0, null)));
        assertArrayEquals(new byte[100], hole);
        await(aio, aio.close(file, null));
    }

    @Test
    void readsAreShortAtEndOfFileAndZeroPastIt() throws Exception {
        AioFile file = open("short");
        byte[] data = random(Scratch.BOUNCE_BYTES + 100, 9);
        await(aio, aio.write(file, 0, data.length, data, 0, null));
        byte[] back = new byte[data.length * 2];
        assertEquals(data.length, await(aio, aio.read(file, 0, back.length, back, 0, null)));
        assertArrayEquals(data, Arrays.copyOf(back, data.length));
        assertEquals(50, await(aio, aio.read(file, data.length - 50, 1000, back, 0, null)));
        assertEquals(0, await(aio, aio.read(file, data.length + 1, 10, back, 0, null)));
        ByteBuffer direct = ByteBuffer.allocateDirect(64);
        assertEquals(0, await(aio, aio.read(file, data.length, direct, null)));
        assertEquals(0, direct.position());
        await(aio, aio.close(file, null));
    }

    @Test
    void closeWaitsForRequestsAlreadySubmittedOnTheFile() throws Exception {
        byte[] data = random(1 << 20, 5);
        AioFile file = open("busy");
        await(aio, aio.write(file, 0, data.length, data, 0, null));
        int reads = 200;
        byte[][] backs = new byte[reads][data.length / reads];
        AioRequest<?>[] requests = new AioRequest<?>[reads];
        for (int i = 0; i < reads; i++) {
            requests[i] = aio.read(file, (long) i * backs[i].length, backs[i].length, backs[i], 0, null);
        }
        AioRequest<Void> close = aio.close(file, null);
        await(aio, close);
        for (int i = 0; i < reads; i++) {
            assertEquals(backs[i].length, await(aio, requests[i]), "read " + i + " ran on the open descriptor");
            assertArrayEquals(Arrays.copyOfRange(data, i * backs[i].length, (i + 1) * backs[i].length), backs[i]);
        }
    }
}
