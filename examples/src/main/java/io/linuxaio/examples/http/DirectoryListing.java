package io.linuxaio.examples.http;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** The HTML index of a directory without an {@code index.html}: every name escaped, every link percent-encoded. */
final class DirectoryListing {
    private static final DateTimeFormatter DATE =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

    /** A directory entry; {@code size} and {@code modified} are null when it could not be stat'ed. */
    record Entry(String name, boolean directory, Long size, Instant modified) {}

    private static final Comparator<Entry> ORDER =
            Comparator.comparing((Entry e) -> !e.directory()).thenComparing(Entry::name);

    private DirectoryListing() {}

    /**
     * @param displayPath the directory's decoded path with its trailing slash, such as {@code /docs/}
     * @param atRoot whether it is the served root, which gets no parent link
     */
    static String html(String displayPath, boolean atRoot, List<Entry> entries) {
        String title = "Index of " + Html.escape(displayPath);
        StringBuilder out = new StringBuilder(256 + 160 * entries.size());
        out.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(title)
                .append("</title>\n<style>td{padding:0 1em 0 0}td.size{text-align:right}</style></head>\n<body><h1>")
                .append(title).append("</h1>\n<table>\n<tr><th>Name</th><th>Size</th><th>Modified</th></tr>\n");
        if (!atRoot) {
            out.append("<tr><td><a href=\"../\">../</a></td><td></td><td></td></tr>\n");
        }
        for (Entry entry : entries.stream().sorted(ORDER).toList()) {
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
        return out.append("</table>\n</body></html>\n").toString();
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
