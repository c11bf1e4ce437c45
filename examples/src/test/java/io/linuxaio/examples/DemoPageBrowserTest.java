package io.linuxaio.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.linuxaio.examples.http.FileServer;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** The demo page's curl hint, as a browser shows it: the URL it was reached by, not a fixed port. */
class DemoPageBrowserTest {

    @Test
    void theCurlHintNamesTheServersUrlOrTheOneTheBrowserUsed() throws Exception {
        HeadlessChromium chromium = HeadlessChromium.require();
        try (DemoSite demo = DemoSite.unpack(); FileServer server = FileServer.builder(demo.root()).port(0).threads(1).start()) {
            demo.showUrl(server.uri());
            int port = server.localAddress().getPort();
            String direct = chromium.dumpDom(server.uri(), 1200, 800);
            assertTrue(direct.contains(" " + server.uri() + "large.bin</code>"), direct);
            // By another name for the same loopback address: the page shows the name the browser used.
            String byName = chromium.dumpDom(URI.create("http://localhost:" + port + "/"), 1200, 800);
            assertTrue(byName.contains(" http://localhost:" + port + "/large.bin</code>"), byName);
        }
    }
}
