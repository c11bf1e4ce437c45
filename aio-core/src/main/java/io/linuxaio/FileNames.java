package io.linuxaio;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * How the engine turns a Java {@code String} into the bytes of a Linux file name and back, without
 * ever turning one name into another.
 *
 * <p>Linux file names are bytes, not text. The engine reads and writes them as UTF-8 whatever the
 * JVM's locale: under the C or POSIX locale (no {@code LANG}, as under systemd and in most
 * containers) the JDK's own file-name charset is ASCII, where {@code java.io} cannot name
 * {@code café.txt} at all and a lossy encoder would open {@code caf?.txt} instead; the engine still
 * opens {@code café.txt}, as Python does in that locale (PEP 540), and as Go and Rust do always.
 *
 * <p>Bytes that are not well-formed UTF-8 still have a name: each such byte {@code b} (always
 * 0x80 to 0xFF) becomes the lone surrogate {@code U+DC00 + b}, as Python's {@code surrogateescape}
 * does, and turns back into the same byte on the way in. So every name {@code readdir} or
 * {@code realpath} returns opens the same file when handed back:
 * {@code toBytes(fromBytes(b))} equals {@code b} for every byte string. Use {@link #forDisplay} to
 * show such a name to a person.
 *
 * <p>Stateless and thread-safe.
 */
public final class FileNames {
    private static final char ESCAPE_FIRST = '\uDC80';
    private static final char ESCAPE_LAST = '\uDCFF';

    private FileNames() {}

    /**
     * The bytes of {@code name}, without a terminating NUL: UTF-8, with each escape
     * {@code U+DC80..U+DCFF} back as the byte it stands for.
     *
     * @throws IllegalArgumentException if {@code name} holds a NUL (C would read a shorter name) or
     *     a lone surrogate that is not such an escape (no byte string has that name)
     */
    public static byte[] toBytes(String name) {
        int length = name.length();
        int ascii = 0;
        while (ascii < length && name.charAt(ascii) < 0x80 && name.charAt(ascii) != 0) {
            ascii++;
        }
        byte[] out = new byte[ascii == length ? length : ascii + 3 * (length - ascii)]; // 3 bytes a char at most
        int n = 0;
        for (int i = 0; i < length; i++) {
            char c = name.charAt(i);
            if (c < 0x80 && c != 0) {
                out[n++] = (byte) c;
            } else if (c == 0) {
                throw new IllegalArgumentException("a file name cannot contain NUL: " + printable(name));
            } else if (c < 0x800) {
                out[n++] = (byte) (0xC0 | c >> 6);
                out[n++] = (byte) (0x80 | c & 0x3F);
            } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(name.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, name.charAt(++i));
                out[n++] = (byte) (0xF0 | cp >> 18);
                out[n++] = (byte) (0x80 | cp >> 12 & 0x3F);
                out[n++] = (byte) (0x80 | cp >> 6 & 0x3F);
                out[n++] = (byte) (0x80 | cp & 0x3F);
            } else if (c >= ESCAPE_FIRST && c <= ESCAPE_LAST) {
                out[n++] = (byte) (c - 0xDC00);
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException("a file name cannot contain the lone surrogate U+"
                        + Integer.toHexString(c).toUpperCase(Locale.ROOT) + " (only U+DC80 to U+DCFF stand for bytes): "
                        + printable(name));
            } else {
                out[n++] = (byte) (0xE0 | c >> 12);
                out[n++] = (byte) (0x80 | c >> 6 & 0x3F);
                out[n++] = (byte) (0x80 | c & 0x3F);
            }
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    /** The name of the bytes {@code bytes[offset..offset+length)}; see the class comment. */
    public static String fromBytes(byte[] bytes, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        StringBuilder out = null;
        int end = offset + length;
        int i = offset;
        while (i < end) {
            int b = bytes[i] & 0xFF;
            if (b < 0x80) {
                if (out != null) {
                    out.append((char) b);
                }
                i++;
                continue;
            }
            if (out == null) {
                out = new StringBuilder(length + 8);
                for (int j = offset; j < i; j++) {
                    out.append((char) bytes[j]);
                }
            }
            int size = sequenceLength(bytes, i, end);
            if (size == 0) {
                out.append((char) (0xDC00 + b)); // not UTF-8: keep the byte itself
                i++;
            } else {
                int cp = b & (0xFF >> (size + 1));
                for (int k = 1; k < size; k++) {
                    cp = cp << 6 | bytes[i + k] & 0x3F;
                }
                out.appendCodePoint(cp);
                i += size;
            }
        }
        // All ASCII: the common case, and the JDK copies that fastest.
        return out != null ? out.toString() : new String(bytes, offset, length, StandardCharsets.ISO_8859_1);
    }

    /** The name of {@code bytes}; see the class comment. */
    public static String fromBytes(byte[] bytes) {
        return fromBytes(bytes, 0, bytes.length);
    }

    /**
     * {@code name} for a person to read: each escaped byte shown as U+FFFD, the replacement
     * character. Not a name to open: two different names may look the same this way.
     */
    public static String forDisplay(String name) {
        StringBuilder out = null;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean escape = c >= ESCAPE_FIRST && c <= ESCAPE_LAST;
            if (escape && out == null) {
                out = new StringBuilder(name.length()).append(name, 0, i);
            }
            if (out != null) {
                out.append(escape ? '\uFFFD' : c);
            }
        }
        return out == null ? name : out.toString();
    }

    /**
     * The length of the well-formed UTF-8 sequence that starts at {@code i} with a byte of 0x80 or
     * more, or 0 if none does: no overlong forms, no surrogates, nothing above U+10FFFF
     * (the Unicode standard's table 3-7).
     */
    private static int sequenceLength(byte[] bytes, int i, int end) {
        int b = bytes[i] & 0xFF;
        int size;
        int low = 0x80;
        int high = 0xBF;
        if (b >= 0xC2 && b <= 0xDF) {
            size = 2;
        } else if (b >= 0xE0 && b <= 0xEF) {
            size = 3;
            if (b == 0xE0) {
                low = 0xA0;
            } else if (b == 0xED) {
                high = 0x9F;
            }
        } else if (b >= 0xF0 && b <= 0xF4) {
            size = 4;
            if (b == 0xF0) {
                low = 0x90;
            } else if (b == 0xF4) {
                high = 0x8F;
            }
        } else {
            return 0;
        }
        if (i + size > end) {
            return 0;
        }
        int second = bytes[i + 1] & 0xFF;
        if (second < low || second > high) {
            return 0;
        }
        for (int k = 2; k < size; k++) {
            int next = bytes[i + k] & 0xFF;
            if (next < 0x80 || next > 0xBF) {
                return 0;
            }
        }
        return size;
    }

    /** For messages: the name with NUL and escapes made visible. */
    private static String printable(String name) {
        return forDisplay(name).replace('\0', '\uFFFD');
    }
}
