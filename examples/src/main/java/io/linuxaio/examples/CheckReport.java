package io.linuxaio.examples;

import java.io.PrintStream;

/**
 * The output of a self-check program: one line per check, {@code ok <check> <what was seen>} or
 * {@code FAIL <check>: <why>}, then one summary line. Used from one thread.
 */
final class CheckReport {
    /** One check: returns what it saw, or throws to say why it failed. */
    @FunctionalInterface
    interface Check {
        String run() throws Exception;
    }

    /** A check saw something other than what it expected. */
    static final class CheckFailed extends Exception {
        private static final long serialVersionUID = 1L;

        CheckFailed(String message) {
            super(message);
        }
    }

    private final PrintStream out;
    private int passed;
    private int failed;

    CheckReport(PrintStream out) {
        this.out = out;
    }

    /** Runs a check and prints its line; true if it passed. */
    boolean check(String name, Check check) {
        String detail;
        try {
            detail = check.run();
        } catch (CheckFailed e) {
            return fail(name, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail(name, "interrupted");
        } catch (Exception | Error e) {
            // Whatever escaped is itself the finding: a self-check must report it, not die of it.
            return fail(name, e.toString());
        }
        passed++;
        out.println("ok " + name + (detail == null || detail.isEmpty() ? "" : " " + detail));
        return true;
    }

    /** Records a failure found outside a check, such as a setup step. */
    boolean fail(String name, String why) {
        failed++;
        out.println("FAIL " + name + ": " + why);
        return false;
    }

    /** Prints the summary line; the exit status: 0 if at least one check ran and none failed. */
    int finish() {
        int total = passed + failed;
        if (failed == 0 && passed > 0) {
            out.println("SELF-CHECK PASSED: " + passed + " of " + total + " checks ok");
            return 0;
        }
        out.println("SELF-CHECK FAILED: " + failed + " of " + total + " checks failed");
        return 1;
    }

    static void expect(boolean condition, String otherwise) throws CheckFailed {
        if (!condition) {
            throw new CheckFailed(otherwise);
        }
    }
}
