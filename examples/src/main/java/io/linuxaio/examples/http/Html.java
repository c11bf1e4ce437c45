package io.linuxaio.examples.http;

import java.nio.charset.StandardCharsets;

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
     * One path segment percent-encoded as UTF-8, leaving only RFC 3986 unreserved characters, so a
     * name like {@code a:b} or {@code x?y} stays a relative path segment in a link.
     */
    static String encodeSegment(String segment) {
        StringBuilder out = new StringBuilder(segment.length() + 16);
        for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
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
}
