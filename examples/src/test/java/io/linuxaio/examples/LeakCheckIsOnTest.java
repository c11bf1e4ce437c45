package io.linuxaio.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.linuxaio.testsupport.LeakCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** This module's tests run inside the shared leak check (test-support's LeakCheckTest shows that it fails a leak). */
class LeakCheckIsOnTest {
    @Test
    void theLeakCheckRunsAroundThisModulesTests(TestInfo test) {
        assertEquals(test.getTestMethod().orElseThrow(), LeakCheck.checkedTestMethod());
    }
}
