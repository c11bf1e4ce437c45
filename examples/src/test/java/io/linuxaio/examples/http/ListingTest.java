package io.linuxaio.examples.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A large directory listing is made as it is sent, a few stats at a time at the engine's lowest
 * priority: it holds up no other client, waits for a client that reads slowly, and stops when its
 * client goes.
 */
class ListingTest extends ServerTestBase {
    static final int ENTRIES = 20_000;
    /** Long names make a page of several megabytes, more than the sockets between us can hold. */
    static final String PADDING = "-a-name-long-enough-that-the-listing-outgrows-the-socket-buffers-between-client-and-server";

    @BeforeAll
    static void startServer() throws Exception {
        start(builder -> builder);
        Path big = Files.createDirectory(site.root.resolve("big"));
        for (int i = 0; i < ENTRIES; i++) {
            Files.createFile(big.resolve(String.format("%05d", i) + PADDING));
        }
    }

    /** A client that asks for the big listing, reads its head, then stops reading. */
    private static RawHttp stalledListing() throws Exception {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(16 * 1024);
        RawHttp http = new RawHttp(socket, address());
        http.request("GET", "/big/");
        RawHttp.Response head = http.readHead();
        assertEquals(200, head.status());
        assertEquals("chunked", head.header("transfer-encoding"));
        return http;
    }

    @Test
    void aSmallFileIsServedWhileALargeListingIsStillBeingMade() throws Exception {
        long before = server.probes().listingStats.sum();
        try (RawHttp listing = stalledListing()) {
            await("the listing waits for its client", () -> server.pendingOutboundBytes() > 0);
            try (RawHttp other = raw()) {
                RawHttp.Response small = other.get("/hello.txt");
                assertEquals(200, small.status());
                assertEquals("hello, world\n", small.text());
            }
            long statsSoFar = server.probes().listingStats.sum() - before;
            assertTrue(statsSoFar < ENTRIES, "the small file was served before the listing had stat'ed every "
                    + "entry, not after: " + statsSoFar + " of " + ENTRIES);

            String html = new String(listing.chunkedBody(), StandardCharsets.UTF_8);
            assertTrue(html.endsWith("</table>\n</body></html>\n"), html.substring(Math.max(0, html.length() - 200)));
            Matcher rows = Pattern.compile("<tr><td><a href=\"(\\d{5})" + Pattern.quote(PADDING) + "\">").matcher(html);
            int count = 0;
            while (rows.find()) {
                assertEquals(String.format("%05d", count), rows.group(1), "rows come in name order");
                count++;
            }
            assertEquals(ENTRIES, count);
        }
        assertEquals(ENTRIES, server.probes().listingStats.sum() - before, "one stat per entry, in the end");
    }

    @Test
    void aListingWhoseClientResetsStopsStatingEntries() throws Exception {
        long before = server.probes().listingStats.sum();
        RawHttp listing = stalledListing();
        listing.socket.setSoLinger(true, 0);
        listing.close(); // a reset
        await("the listing's directory is closed", () -> openFilesUnderRoot() == 0);
        long stated = server.probes().listingStats.sum() - before;
        assertTrue(stated < ENTRIES, stated + " of " + ENTRIES + " entries stat'ed for a client that had gone");
        try (RawHttp other = raw()) {
            assertEquals(200, other.get("/hello.txt").status());
        }
        assertEquals(stated, server.probes().listingStats.sum() - before, "no stat issued after the listing ended");
    }
}
