package io.linuxaio.netty;

import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Netty's leak detector, installed for every test by {@code -Dio.netty.customResourceLeakDetector}
 * (see this module's pom), that also keeps each report so {@link LeakCheck} can fail the test.
 */
public final class LeakRecorder<T> extends ResourceLeakDetector<T> {
    private static final ConcurrentLinkedQueue<String> REPORTS = new ConcurrentLinkedQueue<>();
    private static volatile boolean installed;

    public LeakRecorder(Class<?> resourceType, int samplingInterval) {
        super(resourceType, samplingInterval);
        installed = true;
    }

    public LeakRecorder(Class<?> resourceType, int samplingInterval, long maxActive) {
        this(resourceType, samplingInterval);
    }

    /** Whether Netty made at least one detector of this class, so reports reach {@link #drain()}. */
    static boolean installed() {
        return installed;
    }

    /** The reports recorded since the last drain. */
    static List<String> drain() {
        List<String> reports = new ArrayList<>();
        String report;
        while ((report = REPORTS.poll()) != null) {
            reports.add(report);
        }
        return reports;
    }

    @Override
    protected boolean needReport() {
        return true;
    }

    @Override
    protected void reportTracedLeak(String resourceType, String records) {
        REPORTS.add("LEAK: " + resourceType + " was garbage-collected without release()" + records);
        super.reportTracedLeak(resourceType, records);
    }

    @Override
    protected void reportUntracedLeak(String resourceType) {
        REPORTS.add("LEAK: " + resourceType + " was garbage-collected without release()");
        super.reportUntracedLeak(resourceType);
    }
}
