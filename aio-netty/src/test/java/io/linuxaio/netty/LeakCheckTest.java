package io.linuxaio.netty;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The leak check the other tests rely on can fail. */
@ExtendWith(LeakCheck.class)
class LeakCheckTest {
    @Test
    void anUnreleasedBufferIsReported() throws InterruptedException {
        lose();
        List<String> reports = new ArrayList<>();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (reports.isEmpty() && System.nanoTime() < deadline) {
            reports.addAll(LeakCheck.sweep());
        }
        assertFalse(reports.isEmpty(), "a buffer dropped without release() was not reported");
        assertTrue(reports.get(0).contains("LEAK"), reports.get(0));
    }

    private static void lose() {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        buf.writeLong(42);
        // Dropped here without release(): the detector must notice once it is collected.
    }
}
