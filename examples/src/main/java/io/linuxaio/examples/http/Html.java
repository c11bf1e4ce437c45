package io.linuxaio.examples.http;

import io.linuxaio.FileNames;

/** Escaping for the pages this server writes itself: HTML text and percent-encoded links. */
final class Html {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private Html() {}

    /** Text safe inside an element or a quoted attribute. */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * One file name percent-encoded byte for byte, leaving only RFC 3986 unreserved characters, so
     * a name like {@code a:b} or {@code x?y} stays a relative path segment in a link. The bytes are
     * the name's own ({@link FileNames#toBytes}): a name that is not UTF-8 on disk gets a link that
     * names those bytes, such as {@code caf%E9.txt}.
     */
    static String encodeSegment(String segment) {
        StringBuilder out = new StringBuilder(segment.length() + 16);
        for (byte b : FileNames.toBytes(segment)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        return out.toString();
    }

    /**
     * A file name as people read it: bytes that are not UTF-8 as U+FFFD (see
     * {@link FileNames#forDisplay}), and control characters as their visible Unicode pictures
     * (a TAB as U+2409, a line feed as U+240A), so a name never looks like one it is not. Not a
     * name to open.
     */
    static String displayName(String name) {
        String readable = FileNames.forDisplay(name);
        StringBuilder out = null;
        for (int i = 0; i < readable.length(); i++) {
            char c = readable.charAt(i);
            boolean control = c < 0x20 || c == 0x7f;
            if (control && out == null) {
                out = new StringBuilder(readable.length()).append(readable, 0, i);
            }
            if (out != null) {
                out.append(!control ? c : c == 0x7f ? '\u2421' : (char) (0x2400 + c));
            }
        }
        return out == null ? readable : out.toString();
    }
}
