package io.linuxaio.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Makes a test class fail on a ByteBuf leak: {@link #install()} from its static initializer, before
 * any ByteBuf class loads (this module forks one JVM per test class), then
 * {@link #assertNoLeaks()} from its {@code @AfterAll}.
 */
public final class LeakRecording {
    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();
    private static volatile boolean recordingByteBufLeaks;

    private LeakRecording() {}

    public static void install() {
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
    }

    public static void assertNoLeaks() {
        // The detector reports a leak when it next tracks a buffer after the leaked one was collected.
        for (int i = 0; i < 5; i++) {
            System.gc();
            ByteBuf probe = PooledByteBufAllocator.DEFAULT.directBuffer(16);
            probe.release();
        }
        // Had something loaded ByteBuf before install(), its detector would not report here: say so.
        assertTrue(recordingByteBufLeaks, "ByteBuf's leak detector was made before the recording factory");
        assertEquals(List.of(), LEAKS);
    }

    /** Makes leak detectors that record each report. */
    private static final class RecordingFactory extends ResourceLeakDetectorFactory {
        @Override
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval, long maxActive) {
            if (ByteBuf.class.isAssignableFrom(resource)) {
                recordingByteBufLeaks = true;
            }
            return new ResourceLeakDetector<T>(resource, samplingInterval) {
                @Override
                protected void reportTracedLeak(String resourceType, String records) {
                    LEAKS.add(resourceType + records);
                }

                @Override
                protected void reportUntracedLeak(String resourceType) {
                    LEAKS.add(resourceType);
                }
            };
        }
    }
}
