package io.linuxaio.examples.http;

import java.util.Comparator;

/**
 * The order people expect names in, as file managers sort them: runs of digits compare as numbers
 * ({@code file-2} before {@code file-10}), letters without regard to case ({@code apple} before
 * {@code Zebra}). Names equal that way (only case or leading zeros differ) are put in code point
 * order, so the order is total and two names compare equal only when they are the same name.
 *
 * <p>Allocation-free, as a large directory is sorted with it (off the event loop past
 * {@link ListingStream#SORT_HERE} entries). Digits are the ASCII ones: other scripts' digits sort
 * as letters.
 */
final class NaturalOrder implements Comparator<String> {
    static final NaturalOrder INSTANCE = new NaturalOrder();

    private NaturalOrder() {}

    @Override
    public int compare(String a, String b) {
        int i = 0;
        int j = 0;
        int aLength = a.length();
        int bLength = b.length();
        while (i < aLength && j < bLength) {
            char x = a.charAt(i);
            char y = b.charAt(j);
            if (isDigit(x) && isDigit(y)) {
                // Skip leading zeros, then the longer run of digits is the larger number.
                int aStart = i;
                int bStart = j;
                while (aStart < aLength - 1 && a.charAt(aStart) == '0' && isDigit(a.charAt(aStart + 1))) {
                    aStart++;
                }
                while (bStart < bLength - 1 && b.charAt(bStart) == '0' && isDigit(b.charAt(bStart + 1))) {
                    bStart++;
                }
                int aEnd = aStart;
                int bEnd = bStart;
                while (aEnd < aLength && isDigit(a.charAt(aEnd))) {
                    aEnd++;
                }
                while (bEnd < bLength && isDigit(b.charAt(bEnd))) {
                    bEnd++;
                }
                int byLength = Integer.compare(aEnd - aStart, bEnd - bStart);
                if (byLength != 0) {
                    return byLength;
                }
                for (int k = 0; k < aEnd - aStart; k++) {
                    int byDigit = Character.compare(a.charAt(aStart + k), b.charAt(bStart + k));
                    if (byDigit != 0) {
                        return byDigit;
                    }
                }
                i = aEnd;
                j = bEnd;
            } else {
                if (x != y) {
                    int byLetter = Character.compare(fold(x), fold(y));
                    if (byLetter != 0) {
                        return byLetter;
                    }
                }
                i++;
                j++;
            }
        }
        if (i < aLength || j < bLength) {
            return i < aLength ? 1 : -1; // a prefix first
        }
        return a.compareTo(b); // equal but for case or leading zeros
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** A letter's case folded the way String.compareToIgnoreCase does it. */
    private static char fold(char c) {
        return Character.toLowerCase(Character.toUpperCase(c));
    }
}
