package io.linuxaio.testsupport;

import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Netty's leak detector, made by Netty itself for every kind of resource once the JVM runs with
 * {@code -Dio.netty.customResourceLeakDetector=io.linuxaio.testsupport.LeakRecorder} (the parent
 * pom's {@code test.jvm.args}), that reports as Netty's does and also keeps each report, for
 * {@link LeakCheck} to fail the test with. Thread-safe: Netty reports on whichever thread
 * allocates next.
 */
public final class LeakRecorder<T> extends ResourceLeakDetector<T> {
    private static final ConcurrentLinkedQueue<String> REPORTS = new ConcurrentLinkedQueue<>();
    private static final Set<Class<?>> WATCHED = ConcurrentHashMap.newKeySet();

    /** Called by Netty's detector factory, by reflection. */
    public LeakRecorder(Class<?> resourceType, int samplingInterval) {
        super(resourceType, samplingInterval);
        WATCHED.add(resourceType);
    }

    /** Called by Netty's detector factory, by reflection; Netty itself ignores {@code maxActive}. */
    public LeakRecorder(Class<?> resourceType, int samplingInterval, long maxActive) {
        this(resourceType, samplingInterval);
    }

    /** Whether Netty made this class's detector for {@code resourceType}, so its leaks come here. */
    static boolean watches(Class<?> resourceType) {
        return WATCHED.contains(resourceType);
    }

    /** The reports recorded since the last call, oldest first. */
    static List<String> drain() {
        List<String> reports = new ArrayList<>();
        for (String report; (report = REPORTS.poll()) != null; ) {
            reports.add(report);
        }
        return reports;
    }

    /** Report whether or not Netty's logger would print it: a test fails on it either way. */
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
