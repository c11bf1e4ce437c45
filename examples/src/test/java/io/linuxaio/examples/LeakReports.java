package io.linuxaio.examples;

import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Collects Netty's leak reports so a test can fail on them. Installed as a JUnit launcher session
 * listener (see META-INF/services), so its detectors exist before any ByteBuf class is loaded.
 */
public final class LeakReports implements LauncherSessionListener {
    private static final List<String> REPORTS = new CopyOnWriteArrayList<>();

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
            @Override
            @SuppressWarnings("deprecation")
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval,
                                                                       long maxActive) {
                return new ResourceLeakDetector<>(resource, samplingInterval) {
                    @Override
                    protected void reportTracedLeak(String resourceType, String records) {
                        REPORTS.add(resourceType + " leak:" + records);
                        super.reportTracedLeak(resourceType, records);
                    }

                    @Override
                    protected void reportUntracedLeak(String resourceType) {
                        REPORTS.add(resourceType + " leak (untraced)");
                        super.reportUntracedLeak(resourceType);
                    }
                };
            }
        });
    }

    /** Whether this collector is installed (the detectors are made by it). */
    public static boolean installed() {
        return ResourceLeakDetectorFactory.instance().getClass().getEnclosingClass() == LeakReports.class;
    }

    /**
     * Runs the garbage collector and makes the detectors look at what it found, then fails if any
     * buffer was reported as leaked since the last call.
     */
    public static void assertNoLeaks() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            System.runFinalization();
            // Leaks are reported when the detector tracks a new buffer after the collection.
            for (int j = 0; j < 64; j++) {
                io.netty.buffer.PooledByteBufAllocator.DEFAULT.directBuffer(16).release();
                io.netty.buffer.ByteBufAllocator.DEFAULT.buffer(16).release();
            }
        }
        if (!REPORTS.isEmpty()) {
            String all = String.join("\n\n", REPORTS);
            REPORTS.clear();
            throw new AssertionError("Netty reported leaked buffers:\n" + all);
        }
    }
}
