package io.linuxaio.examples.http;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoField;
import java.util.Locale;

/**
 * HTTP dates (RFC 9110 § 5.6.7): IMF-fixdate out; IMF-fixdate, RFC 850 and asctime in, each
 * matched whole, so a date with anything extra or missing is not a date.
 */
final class HttpDates {
    private static final DateTimeFormatter IMF_FIXDATE = strict("EEE, dd MMM uuuu HH:mm:ss 'GMT'");
    private static final DateTimeFormatter ASCTIME = strict("EEE MMM ppd HH:mm:ss uuuu");
    /** RFC 850's two-digit year; RFC 9110 reads one more than 50 years ahead as the past century. */
    private static final DateTimeFormatter RFC_850 = new DateTimeFormatterBuilder()
            .appendPattern("EEEE, dd-MMM-")
            .appendValueReduced(ChronoField.YEAR, 2, 2, LocalDateTime.now(ZoneOffset.UTC).getYear() - 49)
            .appendPattern(" HH:mm:ss 'GMT'")
            .toFormatter(Locale.US)
            .withResolverStyle(ResolverStyle.STRICT)
            .withChronology(java.time.chrono.IsoChronology.INSTANCE);

    private HttpDates() {}

    /** {@code Sun, 06 Nov 1994 08:49:37 GMT}, to the second. */
    static String format(Instant instant) {
        long second = instant.getEpochSecond();
        int slot = (int) (second & (RECENT.length - 1));
        Formatted recent = RECENT[slot];
        if (recent != null && recent.second == second) {
            return recent.text;
        }
        String text = IMF_FIXDATE.format(instant.atOffset(ZoneOffset.UTC));
        RECENT[slot] = new Formatted(second, text);
        return text;
    }

    /**
     * The last few seconds formatted, by second: every response carries the current one and most
     * carry a file's modification time, and formatting costs more than the rest of the headers.
     * Shared by the event loops without a lock: an entry is immutable, and a lost write only costs
     * formatting it again.
     */
    private static final Formatted[] RECENT = new Formatted[8];

    private record Formatted(long second, String text) {}

    /** The instant a header names, or null when it is not a date: such a header is then ignored. */
    static Instant parse(String text) {
        if (text == null) {
            return null;
        }
        for (DateTimeFormatter format : new DateTimeFormatter[] {IMF_FIXDATE, RFC_850, ASCTIME}) {
            try {
                return LocalDateTime.parse(text.strip(), format).toInstant(ZoneOffset.UTC);
            } catch (DateTimeException notThisForm) {
                // try the next form
            }
        }
        return null;
    }

    private static DateTimeFormatter strict(String pattern) {
        return DateTimeFormatter.ofPattern(pattern, Locale.US)
                .withResolverStyle(ResolverStyle.STRICT)
                .withChronology(java.time.chrono.IsoChronology.INSTANCE);
    }
}
