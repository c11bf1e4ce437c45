package io.linuxaio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.function.Executable;

/** Test helper: a call refused in the caller throws there and leaves no request behind. */
final class Refused {
    private Refused() {}

    /** Asserts that {@code call} throws {@code type} and that {@code context} counts no request for it. */
    static void refused(AioContext context, Class<? extends Throwable> type, Executable call) {
        int before = context.nreqs();
        assertThrows(type, call);
        assertEquals(before, context.nreqs(), "a refused call must not leave a request behind");
    }
}
