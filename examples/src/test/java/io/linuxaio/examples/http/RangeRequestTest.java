package io.linuxaio.examples.http;

import static io.linuxaio.examples.http.RangeRequest.Kind.PARTIAL;
import static io.linuxaio.examples.http.RangeRequest.Kind.UNSATISFIABLE;
import static io.linuxaio.examples.http.RangeRequest.Kind.WHOLE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RangeRequestTest {
    private static final long LEN = 10_000;

    @Test
    void singleRange() {
        assertPartial("bytes=0-499", new ByteRange(0, 499));
        assertPartial("bytes=500-999", new ByteRange(500, 999));
        assertPartial(" BYTES = 1 - 2 ", new ByteRange(1, 2));
    }

    @Test
    void suffixRangeTakesTheLastBytes() {
        assertPartial("bytes=-500", new ByteRange(9500, 9999));
        assertPartial("bytes=-20000", new ByteRange(0, 9999)); // longer than the file: all of it
    }

    @Test
    void openEndedRangeRunsToTheEnd() {
        assertPartial("bytes=9500-", new ByteRange(9500, 9999));
    }

    @Test
    void endIsClampedToTheFile() {
        assertPartial("bytes=9000-99999", new ByteRange(9000, 9999));
        assertPartial("bytes=9999-99999999999999999999999", new ByteRange(9999, 9999));
    }

    @Test
    void nothingSatisfiableIs416() {
        assertEquals(UNSATISFIABLE, RangeRequest.evaluate("bytes=10000-", LEN).kind());
        assertEquals(UNSATISFIABLE, RangeRequest.evaluate("bytes=20000-30000, 10000-10001", LEN).kind());
        assertEquals(UNSATISFIABLE, RangeRequest.evaluate("bytes=-0", LEN).kind());
        assertEquals(UNSATISFIABLE, RangeRequest.evaluate("bytes=0-", 0).kind());
        assertEquals(UNSATISFIABLE, RangeRequest.evaluate("bytes=-5", 0).kind());
    }

    @Test
    void unsatisfiablePartsAreDroppedWhenOthersAreFine() {
        assertPartial("bytes=20000-30000, 5-9", new ByteRange(5, 9));
    }

    @Test
    void severalRangesAreSortedAndMerged() {
        RangeRequest ranges = RangeRequest.evaluate("bytes=500-599, 0-99, 50-149, 150-199, 9000-", LEN);
        assertEquals(PARTIAL, ranges.kind());
        assertEquals(List.of(new ByteRange(0, 199), new ByteRange(500, 599), new ByteRange(9000, 9999)), ranges.ranges());
    }

    @Test
    void overlappingRangesThatMergeIntoOneAreASingleRange() {
        assertPartial("bytes=0-10, 5-20, 21-30", new ByteRange(0, 30));
        assertPartial("bytes=0-5000, 4000-", new ByteRange(0, 9999));
    }

    @Test
    void wastefulRangesGetTheWholeFile() {
        // Two parts that skip a single byte would cost more in multipart headers than they save.
        assertEquals(WHOLE, RangeRequest.evaluate("bytes=0-0, 2-", LEN).kind());
        StringBuilder many = new StringBuilder("bytes=0-0");
        for (int i = 1; i <= RangeRequest.MAX_PARTS; i++) {
            many.append(',').append(i * 10).append('-').append(i * 10);
        }
        assertEquals(WHOLE, RangeRequest.evaluate(many.toString(), LEN).kind());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "bytes", "bytes=", "bytes=,", "items=0-5", "bytes=5", "bytes=a-b", "bytes=5-1",
            "bytes=-", "bytes=1-2-3", "bytes=0x10-20", "bytes=+1-2", "bytes=--5"})
    void malformedHeadersAreIgnored(String header) {
        assertEquals(WHOLE, RangeRequest.evaluate(header, LEN).kind(), header);
    }

    @Test
    void noHeaderMeansTheWholeFile() {
        assertEquals(WHOLE, RangeRequest.evaluate(null, LEN).kind());
    }

    @Test
    void contentRangeNamesTheRangeAndTheTotal() {
        assertEquals("bytes 0-499/1234", new ByteRange(0, 499).contentRange(1234));
        assertEquals(500, new ByteRange(0, 499).length());
    }

    private static void assertPartial(String header, ByteRange expected) {
        RangeRequest ranges = RangeRequest.evaluate(header, LEN);
        assertEquals(PARTIAL, ranges.kind(), header);
        assertEquals(List.of(expected), ranges.ranges(), header);
    }
}
