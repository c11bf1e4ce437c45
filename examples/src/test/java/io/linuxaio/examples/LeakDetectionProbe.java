package io.linuxaio.examples;

import io.netty.util.ResourceLeakDetector;

/** Run in a JVM of its own by {@link LeakDetectionDefaultTest}: the leak detector's level after the server's start-up choice. */
public final class LeakDetectionProbe {
    private LeakDetectionProbe() {}

    public static void main(String[] args) {
        StaticFileServer.leakDetectionOffUnlessChosen();
        System.out.println("level=" + ResourceLeakDetector.getLevel());
    }
}
