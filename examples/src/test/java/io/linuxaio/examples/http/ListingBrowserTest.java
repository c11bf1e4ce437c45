package io.linuxaio.examples.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linuxaio.examples.HeadlessChromium;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A directory listing as a real browser shows it: Debian's chromium, headless, at a phone's 360 px
 * and a desktop's 1200 px. The screenshots are kept in {@code examples/target/} to be looked at.
 */
class ListingBrowserTest extends ServerTestBase {
    /** The names of the test directory in the order the listing must show them. */
    static final List<String> IN_ORDER = List.of("9-dir/", "10-dir/", "A-dir/", "b-dir/",
            "a-name-long-enough-that-a-phone-must-break-it-somewhere-2024.tar.gz", "apple.txt", "file-1.txt",
            "file-2.txt", "file-10.txt", "file-20.txt", "README.md", "Zebra.txt");

    /**
     * A page of the same origin that lays the listing out in a frame of the width given after
     * {@code ?} and writes, once it has loaded, what the layout made of each row: the name, the
     * Modified cell's left and right edges, its height and its rendered text, the Size cell's
     * alignment and right edge, and the row's height.
     */
    static final String LAYOUT_CHECK = """
            <!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="margin:0">
            <iframe id="f" style="border:0;height:800px"></iframe><pre id="result">not loaded</pre>
            <script>
            var frame = document.getElementById('f');
            frame.style.width = location.search.substring(1) + 'px';
            frame.addEventListener('load', function () {
              var doc = frame.contentDocument, root = doc.documentElement, rows = doc.querySelectorAll('tr');
              var out = ['viewport ' + root.clientWidth + ' ' + root.scrollWidth,
                         'meta ' + (doc.querySelector('meta[name=viewport]') || {content: '-'}).content];
              for (var i = 1; i < rows.length; i++) {
                var name = rows[i].cells[0], size = rows[i].cells[1], date = rows[i].cells[2];
                var d = date.getBoundingClientRect(), s = size.getBoundingClientRect();
                out.push(['row', name.textContent, Math.round(d.left), Math.round(d.right), Math.round(d.height),
                          date.innerText.replace(/\\s+/g, ' '), getComputedStyle(size).textAlign, Math.round(s.right),
                          Math.round(rows[i].getBoundingClientRect().height)].join('\\t'));
              }
              document.getElementById('result').textContent = out.join('\\n');
            });
            frame.src = '/natural/';
            </script></body></html>
            """;

    static HeadlessChromium chromium;

    @BeforeAll
    static void startServer() throws Exception {
        start(builder -> builder);
        Path dir = Files.createDirectory(site.root.resolve("natural"));
        long size = 5;
        List<String> created = new ArrayList<>(IN_ORDER);
        java.util.Collections.reverse(created); // the order they are made in says nothing of the order shown
        for (String name : created) {
            if (name.endsWith("/")) {
                Files.createDirectory(dir.resolve(name.substring(0, name.length() - 1)));
            } else {
                try (RandomAccessFile file = new RandomAccessFile(dir.resolve(name).toFile(), "rw")) {
                    file.setLength(size); // sparse: sizes from bytes to GiB without writing them
                }
                size *= 7;
            }
        }
        Files.writeString(site.root.resolve("layout-check.html"), LAYOUT_CHECK);
        chromium = HeadlessChromium.require();
    }

    @Test
    void theBrowserShowsDirectoriesFirstThenNamesInNaturalOrder() {
        String dom = chromium.dumpDom(uri("/natural/"), 1200, 800);
        Matcher links = Pattern.compile("<tr><td><a href=\"[^\"]*\">([^<]*)</a></td>").matcher(dom);
        List<String> shown = new ArrayList<>();
        while (links.find()) {
            if (!links.group(1).equals("../")) {
                shown.add(links.group(1));
            }
        }
        assertEquals(IN_ORDER, shown);
    }

    @Test
    void atAPhonesWidthEveryColumnFitsAndSizesAlignRight() throws Exception {
        List<Row> rows = layout(360);
        for (Row row : rows) {
            assertTrue(row.dateLeft >= 0 && row.dateRight <= 360, "the Modified column is on the screen: " + row);
            assertTrue(row.dateText.matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC|-"), row.toString());
            assertEquals("right", row.sizeAlign, row.toString());
            assertEquals(rows.get(0).sizeRight, row.sizeRight, "sizes line up on the right: " + row);
        }
        Path png = target().resolve("listing-360.png");
        chromium.screenshot(uri("/natural/"), 360, 800, png);
        int[] size = HeadlessChromium.pngSize(png);
        assertEquals(360, size[0], "the screenshot is a phone's width");
        assertEquals(800, size[1]);
    }

    @Test
    void atADesktopsWidthEveryRowIsOneLine() throws Exception {
        List<Row> rows = layout(1200);
        for (Row row : rows) {
            assertEquals(rows.get(0).rowHeight, row.rowHeight, "one line each: " + row);
            assertEquals("right", row.sizeAlign, row.toString());
        }
        Path png = target().resolve("listing-1200.png");
        chromium.screenshot(uri("/natural/"), 1200, 800, png);
        assertEquals(1200, HeadlessChromium.pngSize(png)[0]);
    }

    record Row(String name, int dateLeft, int dateRight, int dateHeight, String dateText, String sizeAlign, int sizeRight,
               int rowHeight) {}

    /** The listing laid out in a frame {@code width} px wide, as the layout check page reports it. */
    private static List<Row> layout(int width) {
        String dom = chromium.dumpDom(URI.create(uri("/layout-check.html") + "?" + width), width, 800);
        Matcher result = Pattern.compile("<pre id=\"result\">([^<]*)</pre>").matcher(dom);
        assertTrue(result.find(), dom);
        String[] lines = result.group(1).split("\n");
        String[] viewport = lines[0].split(" ");
        assertEquals("viewport", viewport[0], result.group(1));
        assertEquals(width, Integer.parseInt(viewport[1]), "the frame's width");
        assertTrue(Integer.parseInt(viewport[2]) <= width, "nothing is wider than the screen: " + result.group(1));
        assertEquals("meta width=device-width, initial-scale=1", lines[1]);
        List<Row> rows = new ArrayList<>();
        for (int i = 2; i < lines.length; i++) {
            String[] f = lines[i].split("\t");
            assertEquals("row", f[0], lines[i]);
            if (f[1].equals("../")) {
                continue; // the parent's row: no size, no date
            }
            rows.add(new Row(f[1], Integer.parseInt(f[2]), Integer.parseInt(f[3]), Integer.parseInt(f[4]), f[5], f[6],
                    Integer.parseInt(f[7]), Integer.parseInt(f[8])));
        }
        assertEquals(IN_ORDER.size(), rows.size(), result.group(1));
        return rows;
    }

    /** The module's build directory, where the screenshots stay. */
    private static Path target() {
        return Path.of(System.getProperty("basedir", "."), "target");
    }
}
