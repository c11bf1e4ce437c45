package io.linuxaio.examples.http;

import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import java.io.FileInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A program for {@link LoggingWarmUpTest}: takes every free descriptor, then logs a warning through
 * Netty's logger, as Netty does when accept(2) fails with EMFILE. Prints {@code logged} and exits
 * 0 if that worked, exits 1 if the log line threw. With the argument {@code warm} it runs
 * {@link LoggingWarmUp} first, as the server does at start.
 */
public final class EmfileLogProbe {
    private EmfileLogProbe() {}

    public static void main(String[] args) throws IOException {
        if (args.length > 0 && args[0].equals("warm")) {
            LoggingWarmUp.run();
        }
        InternalLogger log = InternalLoggerFactory.getInstance(EmfileLogProbe.class);
        List<FileInputStream> held = new ArrayList<>();
        try {
            for (;;) {
                held.add(new FileInputStream("/dev/null"));
            }
        } catch (IOException outOfDescriptors) {
            // every descriptor is taken now
        }
        int status = 0;
        try {
            log.warn("a warning at EMFILE, after " + held.size() + " files", new IOException("accept(..) failed"));
        } catch (Throwable t) {
            status = 1;
            held.remove(held.size() - 1).close();
            System.out.println("the log line threw: " + t);
        }
        for (FileInputStream file : held) {
            file.close();
        }
        if (status == 0) {
            System.out.println("logged");
        }
        System.exit(status);
    }
}
