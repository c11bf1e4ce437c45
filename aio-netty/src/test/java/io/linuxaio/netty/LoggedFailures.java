package io.linuxaio.netty;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.JdkLoggerFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects, while open, every throwable that Netty or this library logs and every one that reaches a thread's
 * uncaught-exception handler without a handler of its own (an engine callback that throws on an
 * event loop ends there). Netty reports an exception thrown inside a listener or a pipeline
 * operation as a warning and carries on, so a test that must fail on such an exception looks here.
 *
 * <p>Netty logs through java.util.logging in these tests (no other logging framework is on the
 * test class path); {@link #open()} checks that, so the capture cannot silently see nothing.
 */
final class LoggedFailures implements AutoCloseable {
    /** Held strongly: java.util.logging forgets a logger, and its handlers, once nothing refers to it. */
    private final List<Logger> loggers = List.of(Logger.getLogger("io.netty"), Logger.getLogger("io.linuxaio"));
    private final List<String> seen = new CopyOnWriteArrayList<>();
    private final List<Throwable> thrown = new CopyOnWriteArrayList<>();
    private final Handler handler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getThrown() != null) {
                thrown.add(record.getThrown());
                seen.add(record.getLevel() + " " + record.getLoggerName() + ": " + record.getMessage() + ": " + record.getThrown());
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
    private final Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();

    private LoggedFailures() {}

    static LoggedFailures open() {
        assertInstanceOf(JdkLoggerFactory.class, InternalLoggerFactory.getDefaultFactory(),
                "Netty must log through java.util.logging for this capture to see its warnings");
        LoggedFailures failures = new LoggedFailures();
        failures.handler.setLevel(Level.ALL);
        for (Logger logger : failures.loggers) {
            logger.addHandler(failures.handler);
        }
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
            failures.thrown.add(e);
            failures.seen.add("uncaught on " + thread.getName() + ": " + e);
        });
        return failures;
    }

    /** Each throwable seen of type {@code type}, found anywhere in a logged throwable's causes or suppressed ones. */
    List<Throwable> of(Class<? extends Throwable> type) {
        List<Throwable> found = new ArrayList<>();
        for (Throwable t : thrown) {
            collect(t, type, found, Collections.newSetFromMap(new IdentityHashMap<>()));
        }
        return found;
    }

    /** What was seen, one line each, for a failure message. */
    List<String> seen() {
        return List.copyOf(seen);
    }

    private static void collect(Throwable t, Class<? extends Throwable> type, List<Throwable> found, Set<Throwable> visited) {
        if (t == null || !visited.add(t)) {
            return;
        }
        if (type.isInstance(t)) {
            found.add(t);
        }
        collect(t.getCause(), type, found, visited);
        for (Throwable s : t.getSuppressed()) {
            collect(s, type, found, visited);
        }
    }

    @Override
    public void close() {
        for (Logger logger : loggers) {
            logger.removeHandler(handler);
        }
        Thread.setDefaultUncaughtExceptionHandler(previous);
    }
}
