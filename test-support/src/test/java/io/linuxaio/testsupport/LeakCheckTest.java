package io.linuxaio.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * The leak check fails the test, or the class, that lost a buffer, and no other. Each case runs a
 * test class of its own through JUnit, registered as the modules register the check (found in
 * META-INF/services), and looks at how its tests ended.
 */
class LeakCheckTest {
    /** Set while a case runs its class: the classes below are run only that way. */
    private static volatile boolean runByACase;

    @Test
    void theCheckRunsAroundEveryTest(TestInfo test) {
        assertEquals(test.getTestMethod().orElseThrow(), LeakCheck.checkedTestMethod());
    }

    @Test
    void aTestThatLosesABufferFailsWithTheReportAndTheOthersPass() {
        EngineExecutionResults results = run(LosesABufferInOneTest.class);
        assertEquals(1, results.testEvents().succeeded().count(), "the test that released its buffer passes");
        List<Event> failed = results.testEvents().failed().list();
        assertEquals(1, failed.size(), "one test failed");
        assertEquals("losesABuffer()", failed.get(0).getTestDescriptor().getDisplayName());
        String message = failure(failed.get(0)).getMessage();
        assertTrue(message.contains("1 leak(s) in losesABuffer()") && message.contains("LEAK: ByteBuf"), message);
        assertEquals(0, results.containerEvents().failed().count(), "the class itself did not fail");
    }

    @Test
    void aBufferLostAtAfterAllFailsTheClass() {
        EngineExecutionResults results = run(LosesABufferAtAfterAll.class);
        assertEquals(1, results.testEvents().succeeded().count(), "its test lost nothing");
        List<Event> failed = results.containerEvents().failed().list();
        assertEquals(1, failed.size(), "the class failed");
        String name = failed.get(0).getTestDescriptor().getDisplayName();
        assertTrue(name.endsWith(LosesABufferAtAfterAll.class.getSimpleName()), name);
        String message = failure(failed.get(0)).getMessage();
        assertTrue(message.contains("(after its tests, at its @AfterAll)") && message.contains("LEAK: ByteBuf"), message);
    }

    private static EngineExecutionResults run(Class<?> testClass) {
        runByACase = true;
        try {
            return EngineTestKit.engine("junit-jupiter")
                    .configurationParameter("junit.jupiter.extensions.autodetection.enabled", "true")
                    .selectors(selectClass(testClass))
                    .execute();
        } finally {
            runByACase = false;
        }
    }

    private static Throwable failure(Event event) {
        return event.getPayload(TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow();
    }

    /** Drops a pooled direct buffer without release(): the detector must notice once it is collected. */
    private static void lose() {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        buf.writeLong(42);
    }

    static final class LosesABufferInOneTest {
        @Test
        void losesABuffer() {
            assumeTrue(runByACase);
            lose();
        }

        @Test
        void releasesItsBuffer() {
            assumeTrue(runByACase);
            PooledByteBufAllocator.DEFAULT.directBuffer(64).release();
        }
    }

    static final class LosesABufferAtAfterAll {
        @Test
        void losesNothing() {
            assumeTrue(runByACase);
        }

        @AfterAll
        static void loseOne() {
            if (runByACase) {
                lose();
            }
        }
    }
}
