package io.linuxaio;

import java.time.Duration;

/** Durations as the nanosecond counts that parking and condition waits take. */
final class Durations {
    private Durations() {}

    /**
     * {@code d} in nanoseconds, saturated: a duration too long for a {@code long} (about 292
     * years) is as good as forever, and a negative one as none at all.
     */
    static long nanos(Duration d) {
        if (d.isNegative()) {
            return 0;
        }
        try {
            return d.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }
}
