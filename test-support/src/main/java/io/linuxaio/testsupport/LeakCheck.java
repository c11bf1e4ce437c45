package io.linuxaio.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.lang.reflect.Method;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails the test, or the test class, in which Netty reported a leaked buffer: one that was
 * garbage-collected without {@code release()}. It runs around every test of a module that has this
 * one on its test class path and {@code junit.jupiter.extensions.autodetection.enabled = true} in
 * its {@code junit-platform.properties} (it is listed in {@code META-INF/services}).
 *
 * <p>Before each test class it checks that the leak reports reach it: Netty detects leaks at the
 * paranoid level and made {@link LeakRecorder} its detector for buffers (both set by the parent
 * pom's {@code test.jvm.args}). After each test, and after each class (after the class's own
 * {@code @AfterAll}, which stops what it started), it collects garbage, lets the detectors look and
 * fails with what they reported. A report that is already there when a test or class begins comes
 * from an earlier one, whose buffer was collected only later; it fails this one, and says so.
 *
 * <p>Tests of one JVM must run one at a time for a report to name the right test.
 */
public final class LeakCheck implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
    private static volatile Method checking;

    @Override
    public void beforeAll(ExtensionContext context) {
        assertEquals(ResourceLeakDetector.Level.PARANOID, ResourceLeakDetector.getLevel(),
                "tests run with -Dio.netty.leakDetection.level=paranoid: see test.jvm.args in the parent pom");
        ByteBufAllocator.DEFAULT.buffer(1).release(); // makes Netty's detector for buffers, if not made yet
        assertTrue(LeakRecorder.watches(ByteBuf.class), "Netty's detector for buffers is not a LeakRecorder:"
                + " tests run with -Dio.netty.customResourceLeakDetector=" + LeakRecorder.class.getName());
        failOnEarlier(context);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        failOnEarlier(context);
        checking = context.getRequiredTestMethod();
    }

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        checking = null;
        failOn(sweep(), context.getDisplayName());
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        failOn(sweep(), context.getDisplayName() + " (after its tests, at its @AfterAll)");
    }

    /** The test method this check runs around now, or null: lets a module's test see that the check is on. */
    public static Method checkedTestMethod() {
        return checking;
    }

    private static void failOnEarlier(ExtensionContext context) {
        List<String> earlier = LeakRecorder.drain();
        if (!earlier.isEmpty()) {
            fail(earlier.size() + " leak(s) reported before " + context.getDisplayName()
                    + " began, so in an earlier test or class:\n" + String.join("\n", earlier));
        }
    }

    private static void failOn(List<String> reports, String where) {
        if (!reports.isEmpty()) {
            fail(reports.size() + " leak(s) in " + where + ":\n" + String.join("\n", reports));
        }
    }

    /**
     * Collects garbage, lets the detectors look, and returns (and forgets) what they reported. A
     * detector looks at what the collector found when it is next asked to track a buffer, so each
     * round collects and then allocates; a later round's collection also waits for the references
     * the one before found to be queued.
     */
    static List<String> sweep() throws InterruptedException {
        for (int round = 0; round < 3; round++) {
            collectGarbage();
            for (ByteBufAllocator allocator : new ByteBufAllocator[] {
                    ByteBufAllocator.DEFAULT, PooledByteBufAllocator.DEFAULT, UnpooledByteBufAllocator.DEFAULT}) {
                allocator.directBuffer(1).release();
                allocator.heapBuffer(1).release();
            }
        }
        return LeakRecorder.drain();
    }

    /** One full collection, waiting until the reference handler has queued what it cleared. */
    private static void collectGarbage() throws InterruptedException {
        ReferenceQueue<Object> queue = new ReferenceQueue<>();
        WeakReference<Object> sentinel = new WeakReference<>(new Object(), queue);
        System.gc();
        // The sentinel was cleared in the same collection as any lost buffer: once it is queued,
        // the handler has reached that collection's references.
        if (queue.remove(5_000) == null) {
            System.gc();
        }
        sentinel.clear();
    }
}
