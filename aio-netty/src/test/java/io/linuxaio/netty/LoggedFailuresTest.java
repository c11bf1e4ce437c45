package io.linuxaio.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.channel.AbstractChannel;
import io.netty.util.IllegalReferenceCountException;
import io.netty.util.internal.logging.InternalLoggerFactory;
import org.junit.jupiter.api.Test;

/** The capture the double-release tests rely on does see what Netty logs and what goes uncaught. */
class LoggedFailuresTest {
    @Test
    void aWarningThatNettyLogsWithAnExceptionIsSeenThroughItsCauses() {
        try (LoggedFailures failures = LoggedFailures.open()) {
            InternalLoggerFactory.getInstance(AbstractChannel.class)
                    .warn("a test warning", new RuntimeException("wrapper", new IllegalReferenceCountException(0, -1)));
            assertEquals(1, failures.of(IllegalReferenceCountException.class).size(), failures.seen().toString());
        }
    }

    @Test
    void anExceptionThatEndsAThreadIsSeen() throws InterruptedException {
        try (LoggedFailures failures = LoggedFailures.open()) {
            Thread thread = new Thread(() -> {
                throw new IllegalReferenceCountException(0, -1);
            });
            thread.start();
            thread.join();
            assertEquals(1, failures.of(IllegalReferenceCountException.class).size(), failures.seen().toString());
        }
    }
}
