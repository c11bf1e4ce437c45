package io.linuxaio.examples.http;

import java.util.concurrent.atomic.LongAdder;

/**
 * What the server has answered, counted on the event loops as each response ends (the access
 * log's moment), and read from any thread: for {@code /metrics} and the status line. A counter
 * costs a loop an uncontended add.
 */
final class ServerCounters {
    /** Responses by status class: index 0 for 1xx up to 4 for 5xx. */
    private final LongAdder[] byClass = new LongAdder[5];
    private final LongAdder bodyBytes = new LongAdder();

    ServerCounters() {
        for (int i = 0; i < byClass.length; i++) {
            byClass[i] = new LongAdder();
        }
    }

    /** A response ended with {@code status}, having sent {@code bytes} of body. */
    void responded(int status, long bytes) {
        int statusClass = status / 100;
        if (statusClass >= 1 && statusClass <= 5) {
            byClass[statusClass - 1].increment();
        }
        if (bytes > 0) {
            bodyBytes.add(bytes);
        }
    }

    /** Responses whose status was {@code statusClass}xx, for a class from 1 to 5. */
    long responses(int statusClass) {
        return byClass[statusClass - 1].sum();
    }

    /** Body bytes sent, as the access log counts them: headers not included. */
    long bodyBytes() {
        return bodyBytes.sum();
    }
}
