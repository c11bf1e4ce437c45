package io.linuxaio;

import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A poller may spin only while a worker is busy, on a core that no busy worker and no other spinner needs. */
class SpinBudgetTest {
    private final AtomicInteger busy = new AtomicInteger();

    @Test
    void aPollerSpinsOnTheCoreTheWorkersLeaveFree() {
        SpinBudget budget = new SpinBudget(2, busy::get);
        busy.set(1);
        assertTrue(budget.tryStart(), "one worker on two cores leaves one free");
        assertFalse(budget.tryStart(), "the free core is taken by the first spinner");
        assertEquals(1, budget.spinners());
        budget.stop();
        assertTrue(budget.tryStart(), "the core is free again once the spinner stopped");
        budget.stop();
        assertEquals(0, budget.spinners());
    }

    @Test
    void noPollerSpinsWhileWorkersTakeEveryCore() {
        SpinBudget budget = new SpinBudget(4, busy::get);
        busy.set(4);
        assertFalse(budget.tryStart());
        busy.set(9);
        assertFalse(budget.tryStart());
        busy.set(2);
        assertTrue(budget.tryStart());
        assertTrue(budget.tryStart(), "two workers and one spinner leave the fourth core free");
        assertFalse(budget.tryStart(), "two workers and two spinners take all four");
    }

    @Test
    void noPollerSpinsWhenNoWorkerIsBusy() {
        SpinBudget budget = new SpinBudget(8, busy::get);
        busy.set(0);
        assertFalse(budget.tryStart(), "no result is on its way");
    }

    @Test
    void onOneCoreNoPollerEverSpins() {
        SpinBudget budget = new SpinBudget(1, busy::get);
        busy.set(1);
        assertFalse(budget.tryStart(), "the only core belongs to the busy worker");
    }
}
