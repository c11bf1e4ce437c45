package io.linuxaio.examples.http;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The HTML index of a directory without an {@code index.html}, in three parts so it can be sent as
 * it is made: {@link #head}, one {@link #row} per entry, {@link #tail}. Every name is escaped and
 * shown readably; every link is percent-encoded from the name's own bytes.
 */
final class DirectoryListing {
    /** The date and the time each in a span that does not break, so a narrow screen breaks only between them. */
    private static final DateTimeFormatter DATE = DateTimeFormatter
            .ofPattern("'<span>'yyyy-MM-dd'</span> <span>'HH:mm:ss 'UTC</span>'", Locale.ROOT).withZone(ZoneOffset.UTC);

    /** A directory entry; {@code size} and {@code modified} are null when unknown or not shown. */
    record Entry(String name, boolean directory, Long size, Instant modified) {}

    /** The order entries are listed in: directories first, then by name in {@link NaturalOrder}. */
    static final Comparator<Entry> ORDER =
            Comparator.comparing((Entry e) -> !e.directory()).thenComparing(Entry::name, NaturalOrder.INSTANCE);

    /**
     * Readable from a phone's 360 px up: the table takes the page's width, a long name breaks
     * anywhere rather than pushing the sizes and dates off the screen, sizes line up on the right,
     * and below 600 px a date may break between day and time (and nowhere else).
     */
    private static final String STYLE = """
            <style>
            body{font:16px/1.4 system-ui,sans-serif;margin:1em;color:#222;background:#fff}
            h1{font-size:1.25em;font-weight:600;overflow-wrap:anywhere}
            table{border-collapse:collapse;width:100%}
            th,td{padding:.3em .5em;text-align:left;vertical-align:top}
            th{border-bottom:1px solid #bbb}
            tr:nth-child(even) td{background:#f4f4f4}
            td:first-child{overflow-wrap:anywhere;width:100%}
            .size{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
            td:last-child{white-space:nowrap;font-variant-numeric:tabular-nums}
            td:last-child span{white-space:nowrap}
            a{color:#0645ad;text-decoration:none}
            a:hover{text-decoration:underline}
            @media (max-width:600px){body{margin:.5em;font-size:14px}th,td{padding:.3em .25em}td:last-child{white-space:normal}}
            </style>
            """;

    private DirectoryListing() {}

    /** The whole page at once, its entries put in {@link #ORDER}. */
    static String html(String displayPath, boolean atRoot, List<Entry> entries) {
        StringBuilder out = new StringBuilder(256 + 160 * entries.size()).append(head(displayPath, atRoot));
        for (Entry entry : entries.stream().sorted(ORDER).toList()) {
            row(out, entry);
        }
        return out.append(tail()).toString();
    }

    /**
     * Everything before the first entry.
     *
     * @param displayPath the directory's path as shown to people, with its trailing slash, such as {@code /docs/}
     * @param atRoot whether it is the served root, which gets no parent link
     */
    static String head(String displayPath, boolean atRoot) {
        String title = "Index of " + Html.escape(displayPath);
        StringBuilder out = new StringBuilder(512);
        out.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
                .append(title).append("</title>\n").append(STYLE).append("</head>\n<body><h1>")
                .append(title).append("</h1>\n<table>\n<tr><th>Name</th><th class=\"size\">Size</th><th>Modified</th></tr>\n");
        if (!atRoot) {
            out.append("<tr><td><a href=\"../\">../</a></td><td></td><td></td></tr>\n");
        }
        return out.toString();
    }

    /** Appends one entry's table row; a name the server would refuse to serve gets no link. */
    static void row(StringBuilder out, Entry entry) {
        String suffix = entry.directory() ? "/" : "";
        String shown = Html.escape(Html.displayName(entry.name())) + suffix;
        out.append("<tr><td>");
        if (RequestTarget.canName(entry.name())) {
            out.append("<a href=\"").append(Html.encodeSegment(entry.name())).append(suffix).append("\">")
                    .append(shown).append("</a>");
        } else {
            out.append(shown); // the server refuses such a path: no link that would not work
        }
        out.append("</td><td class=\"size\">")
                .append(entry.directory() || entry.size() == null ? "-" : humanSize(entry.size()))
                .append("</td><td>")
                .append(entry.modified() == null ? "-" : DATE.format(entry.modified()))
                .append("</td></tr>\n");
    }

    /** Everything after the last entry. */
    static String tail() {
        return "</table>\n</body></html>\n";
    }

    /** Bytes below 10 KiB, then KiB, MiB, GiB with one decimal. */
    static String humanSize(long bytes) {
        if (bytes < 10 * 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double value = bytes;
        int unit = -1;
        do {
            value /= 1024;
            unit++;
        } while (value >= 1024 && unit < units.length - 1);
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
