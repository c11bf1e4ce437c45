package io.linuxaio.examples.http;

import io.netty.handler.codec.DateFormatter;
import java.time.Instant;
import java.util.Date;

/** HTTP dates (RFC 9110 § 5.6.7): IMF-fixdate out; IMF-fixdate, RFC 850 and asctime in. */
final class HttpDates {
    private HttpDates() {}

    /** {@code Sun, 06 Nov 1994 08:49:37 GMT}, to the second. */
    static String format(Instant instant) {
        return DateFormatter.format(new Date(instant.getEpochSecond() * 1000));
    }

    /** The instant a header names, or null when it is not a date: such a header is then ignored. */
    static Instant parse(String text) {
        if (text == null) {
            return null;
        }
        Date date = DateFormatter.parseHttpDate(text);
        return date == null ? null : date.toInstant();
    }
}
