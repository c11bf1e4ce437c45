package io.linuxaio.examples.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linuxaio.Stat;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ValidatorsTest {
    private static final Instant MTIME = Instant.parse("2024-05-06T07:08:09.123456789Z");
    private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");
    private static final String LAST_MODIFIED = "Mon, 06 May 2024 07:08:09 GMT";

    private static Stat stat(long ino, long size, Instant mtime) {
        return new Stat(1, ino, 0100644, 1, 0, 0, 0, size, 4096, 8, mtime, mtime, mtime);
    }

    private final Validators validators = Validators.of(stat(0x1234, 0x100, MTIME));

    @Test
    void etagIsStrongAndChangesWithInodeSizeAndNanoseconds() {
        String etag = validators.etag();
        assertTrue(etag.startsWith("\"") && etag.endsWith("\""), etag);
        assertFalse(etag.startsWith("W/"));
        assertNotEquals(etag, Validators.of(stat(0x1235, 0x100, MTIME)).etag());
        assertNotEquals(etag, Validators.of(stat(0x1234, 0x101, MTIME)).etag());
        assertNotEquals(etag, Validators.of(stat(0x1234, 0x100, MTIME.plusNanos(1))).etag());
        assertEquals(etag, Validators.of(stat(0x1234, 0x100, MTIME)).etag());
    }

    @Test
    void lastModifiedIsTruncatedToTheSecond() {
        assertEquals(Instant.parse("2024-05-06T07:08:09Z"), validators.lastModified());
        assertEquals(LAST_MODIFIED, HttpDates.format(validators.lastModified()));
    }

    @Test
    void ifNoneMatchComparesWeakly() {
        String etag = validators.etag();
        assertTrue(validators.notModified(etag, null, NOW));
        assertTrue(validators.notModified("W/" + etag, null, NOW));
        assertTrue(validators.notModified("\"other\", " + etag, null, NOW));
        assertTrue(validators.notModified("*", null, NOW));
        assertFalse(validators.notModified("\"other\"", null, NOW));
    }

    @Test
    void ifNoneMatchWinsOverIfModifiedSince() {
        assertFalse(validators.notModified("\"other\"", LAST_MODIFIED, NOW));
    }

    @Test
    void ifModifiedSinceGives304WhenNotNewer() {
        assertTrue(validators.notModified(null, LAST_MODIFIED, NOW));
        assertTrue(validators.notModified(null, "Tue, 07 May 2024 00:00:00 GMT", NOW));
        assertFalse(validators.notModified(null, "Mon, 06 May 2024 07:08:08 GMT", NOW));
    }

    @Test
    void ifModifiedSinceAcceptsTheObsoleteDateForms() {
        assertTrue(validators.notModified(null, "Monday, 06-May-24 07:08:09 GMT", NOW));
        assertTrue(validators.notModified(null, "Mon May  6 07:08:09 2024", NOW));
    }

    @Test
    void malformedOrFutureDatesAreIgnored() {
        assertFalse(validators.notModified(null, "yesterday", NOW));
        assertFalse(validators.notModified(null, "", NOW));
        assertFalse(validators.notModified(null, "Mon, 06 May 2024 07:08:09 GMT\u0000", NOW));
        assertFalse(validators.notModified(null, "Thu, 01 Jan 2099 00:00:00 GMT", NOW));
        assertNull(HttpDates.parse("32 Foo 2024"));
    }

    @Test
    void ifRangeNeedsAStrongTagMatchOrTheExactDate() {
        assertTrue(validators.rangeAllowed(null));
        assertTrue(validators.rangeAllowed(validators.etag()));
        assertFalse(validators.rangeAllowed("W/" + validators.etag()));
        assertFalse(validators.rangeAllowed("\"stale\""));
        assertTrue(validators.rangeAllowed(LAST_MODIFIED));
        assertFalse(validators.rangeAllowed("Tue, 07 May 2024 00:00:00 GMT"));
        assertFalse(validators.rangeAllowed("not a date"));
    }
}
