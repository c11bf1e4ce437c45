package io.linuxaio.examples.http;

import io.netty.util.internal.logging.InternalLoggerFactory;
import java.io.IOException;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.TimeZone;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Loads now, while descriptors are free, what the first log line would otherwise load when it is
 * written: {@code java.util.logging}'s configuration and handlers (Netty logs through them unless
 * an SLF4J or Log4j backend is present), and the time-zone data that its formatter reads to stamp
 * the line. Written first at EMFILE, that line failed to open {@code tzdb.dat}, threw an
 * {@code Error}, and the event loop that logged it died. Formatting a record here, warning and
 * stack trace included, loads all of it without printing anything. Once per JVM; thread-safe.
 */
final class LoggingWarmUp {
    private static final AtomicBoolean DONE = new AtomicBoolean();

    private LoggingWarmUp() {}

    static void run() {
        if (!DONE.compareAndSet(false, true)) {
            return;
        }
        InternalLoggerFactory.getInstance(FileServer.class).isWarnEnabled(); // Netty picks its backend now
        ZoneId.systemDefault().getRules();
        TimeZone.getDefault();
        ZonedDateTime.now();
        LogRecord record = new LogRecord(Level.WARNING, "warming up {0}");
        record.setParameters(new Object[] {"the log"});
        record.setLoggerName(FileServer.class.getName());
        record.setThrown(new IOException("not a failure: formatted once at start, never printed"));
        for (Logger logger = Logger.getLogger(FileServer.class.getName()); logger != null; logger = logger.getParent()) {
            for (Handler handler : logger.getHandlers()) { // the root's ConsoleHandler is made by this call
                Formatter formatter = handler.getFormatter();
                if (formatter != null) {
                    formatter.format(record);
                }
            }
        }
    }
}
