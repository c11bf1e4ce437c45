package io.linuxaio.examples;

import io.netty.util.ResourceLeakDetector;

/**
 * Run in a JVM of its own by {@link LeakDetectionDefaultTest}: the server's command line with
 * {@code --help}, which makes its start-up choices and prints the usage, then the leak detector's
 * level.
 */
public final class LeakDetectionProbe {
    private LeakDetectionProbe() {}

    public static void main(String[] args) {
        StaticFileServer.main(new String[] {"--help"});
        System.out.println("level=" + ResourceLeakDetector.getLevel());
    }
}
