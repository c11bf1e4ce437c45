package io.linuxaio.netty;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test when Netty's leak detector reports a buffer that was garbage-collected without
 * being released. After each test it collects garbage and allocates, which is when the detector
 * looks at what the collector found.
 */
public final class LeakCheck implements BeforeEachCallback, AfterEachCallback {
    @Override
    public void beforeEach(ExtensionContext context) {
        assertTrue(ResourceLeakDetector.getLevel() == ResourceLeakDetector.Level.PARANOID,
                "tests must run with -Dio.netty.leakDetection.level=paranoid");
        ByteBufAllocator.DEFAULT.buffer(1).release(); // makes the ByteBuf detector, if not yet made
        assertTrue(LeakRecorder.installed(), "LeakRecorder is not installed: see aio-netty/pom.xml");
        List<String> earlier = LeakRecorder.drain();
        if (!earlier.isEmpty()) {
            fail("leaks reported before " + context.getDisplayName() + " (from an earlier test): " + earlier);
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        List<String> reports = sweep();
        if (!reports.isEmpty()) {
            fail(reports.size() + " leak(s) in " + context.getDisplayName() + ":\n" + String.join("\n", reports));
        }
    }

    /** Collects garbage, lets the detector look, and returns (and forgets) what it reported. */
    static List<String> sweep() throws InterruptedException {
        for (int round = 0; round < 3; round++) {
            collectGarbage();
            // The detector reports when asked to track a new buffer; ask through each allocator.
            for (ByteBufAllocator allocator : new ByteBufAllocator[] {
                    ByteBufAllocator.DEFAULT, PooledByteBufAllocator.DEFAULT, UnpooledByteBufAllocator.DEFAULT}) {
                allocator.directBuffer(1).release();
                allocator.heapBuffer(1).release();
            }
        }
        return LeakRecorder.drain();
    }

    /** One full collection whose cleared references have been handed to their queues. */
    private static void collectGarbage() throws InterruptedException {
        ReferenceQueue<Object> queue = new ReferenceQueue<>();
        WeakReference<Object> sentinel = new WeakReference<>(new Object(), queue);
        System.gc();
        // The sentinel was found in the same collection as any lost buffer; once it is enqueued,
        // so are they (the reference handler enqueues one discovered batch in order).
        if (queue.remove(5_000) == null) {
            System.gc();
        }
        sentinel.clear();
    }
}
