package io.linuxaio;

import static io.linuxaio.Fcntl.O_RDONLY;
import static io.linuxaio.Polling.await;
import static io.linuxaio.Polling.until;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A call that is refused (it throws) leaves no trace: no state changed, nothing queued. */
class RefusedCallTest {
    @TempDir Path dir;
    private final LinuxAio aio = new LinuxAio();

    /** A corrupted count hangs close() for ever; fail instead. */
    @AfterEach
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void closeEngine() {
        aio.close();
    }

    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aRefusedSecondCloseLeavesTheFirstWaitingForTheReadsBeforeIt() throws Exception {
        Files.writeString(dir.resolve("a"), "AAAA");
        AioFile a = await(aio, aio.open(dir.resolve("a").toString(), O_RDONLY, 0, null));
        aio.maxParallel(1);
        List<String> delivered = new ArrayList<>(); // touched by callbacks only, on this thread
        byte[] data = new byte[4];
        try (BlockedWorkers blocked = BlockedWorkers.occupy(aio, dir, 1)) {
            // Queued behind the close (which is taken first, at a higher priority): the close must
            // still wait for it, since the read was submitted first.
            aio.withPriority(AioContext.PRI_MIN).read(a, 0, 4, data, 0, (n, e) -> delivered.add("read " + n + " " + e));
            aio.close(a, (v, e) -> delivered.add("close " + e));
            int before = aio.nreqs();
            assertThrows(IllegalStateException.class, () -> aio.close(a, (v, e) -> delivered.add("second close")));
            assertEquals(before, aio.nreqs(), "the refused close is not counted");
        }
        until(aio, () -> delivered.size() == 2 && aio.nreqs() == 0);
        assertEquals(List.of("read 4 null", "close null"), delivered);
        assertEquals("AAAA", new String(data, StandardCharsets.US_ASCII), "the read saw the file it was made on");
        assertEquals(0, aio.nreqs());
        assertFalse(aio.pollWait(java.time.Duration.ZERO) && aio.pollCb() > 0, "nothing more is delivered");
    }
}
