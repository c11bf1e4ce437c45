package io.linuxaio.examples.http;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * A {@code Range} header evaluated against a representation's length, per RFC 9110 § 14.
 *
 * <p>A header that is not a well-formed {@code bytes} range set is ignored, as § 14.2 allows, and
 * so is one whose ranges, once sorted and merged, would cost more than sending the whole file
 * (too many parts, or parts whose multipart headers outweigh the bytes they skip): the whole file
 * is sent with 200. Ranges past the
 * end are dropped, ends are clamped to the last byte; when none is left, the answer is 416.
 *
 * @param kind what to answer
 * @param ranges the ranges to send, sorted and merged; empty unless {@code kind} is {@link Kind#PARTIAL}
 */
record RangeRequest(Kind kind, List<ByteRange> ranges) {
    /** More parts than this are answered with the whole file: each part costs headers and a read. */
    static final int MAX_PARTS = 16;
    /** About what one part's delimiter and headers cost in a multipart/byteranges body. */
    static final int PART_OVERHEAD = 100;

    enum Kind { WHOLE, PARTIAL, UNSATISFIABLE }

    private static final RangeRequest WHOLE = new RangeRequest(Kind.WHOLE, List.of());
    private static final RangeRequest UNSATISFIABLE = new RangeRequest(Kind.UNSATISFIABLE, List.of());

    static RangeRequest evaluate(String header, long length) {
        if (header == null) {
            return WHOLE;
        }
        int eq = header.indexOf('=');
        if (eq < 0 || !header.substring(0, eq).trim().toLowerCase(Locale.ROOT).equals("bytes")) {
            return WHOLE;
        }
        List<ByteRange> satisfiable = new ArrayList<>();
        int specs = 0;
        for (String spec : header.substring(eq + 1).split(",", -1)) {
            spec = spec.trim();
            if (spec.isEmpty()) {
                continue; // The list grammar allows empty elements.
            }
            if (++specs > 4 * MAX_PARTS) {
                return WHOLE;
            }
            int dash = spec.indexOf('-');
            if (dash < 0) {
                return WHOLE;
            }
            String firstText = spec.substring(0, dash).trim();
            String lastText = spec.substring(dash + 1).trim();
            if (firstText.isEmpty()) {
                long suffix = digits(lastText);
                if (suffix < 0) {
                    return WHOLE;
                }
                if (suffix > 0 && length > 0) {
                    satisfiable.add(new ByteRange(Math.max(0, length - suffix), length - 1));
                }
                continue;
            }
            long first = digits(firstText);
            long last = lastText.isEmpty() ? Long.MAX_VALUE : digits(lastText);
            if (first < 0 || last < 0 || last < first) {
                return WHOLE;
            }
            if (first < length) {
                satisfiable.add(new ByteRange(first, Math.min(last, length - 1)));
            }
        }
        if (specs == 0) {
            return WHOLE;
        }
        if (satisfiable.isEmpty()) {
            return UNSATISFIABLE;
        }
        List<ByteRange> merged = merge(satisfiable);
        long skipped = length - merged.stream().mapToLong(ByteRange::length).sum();
        if (merged.size() > MAX_PARTS || (merged.size() > 1 && skipped <= (long) PART_OVERHEAD * merged.size())) {
            return WHOLE;
        }
        return new RangeRequest(Kind.PARTIAL, List.copyOf(merged));
    }

    /** Sorts and joins overlapping or touching ranges, so no byte is sent twice. */
    private static List<ByteRange> merge(List<ByteRange> ranges) {
        ranges.sort(Comparator.comparingLong(ByteRange::first));
        List<ByteRange> merged = new ArrayList<>();
        ByteRange current = ranges.get(0);
        for (ByteRange next : ranges.subList(1, ranges.size())) {
            if (next.first() <= current.last() + 1) {
                current = new ByteRange(current.first(), Math.max(current.last(), next.last()));
            } else {
                merged.add(current);
                current = next;
            }
        }
        merged.add(current);
        return merged;
    }

    /** A non-negative decimal, or -1 if the text is not one; huge values saturate. */
    private static long digits(String text) {
        if (text.isEmpty()) {
            return -1;
        }
        long value = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value > (Long.MAX_VALUE - 9) / 10 ? Long.MAX_VALUE : value * 10 + (c - '0');
        }
        return value;
    }
}
