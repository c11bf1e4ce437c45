package io.linuxaio.examples.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * openat2 answers EAGAIN when a rename anywhere on the machine races a {@code ..} step under
 * RESOLVE_BENEATH ("try again"): the server tries again, then takes the canonical path, and a link
 * with {@code ..} inside the root is never a 500.
 */
class OpenRetryTest extends ServerTestBase {

    @AfterEach
    void noInjectedFaultIsLeft() {
        server.probes().eagainsToInject.set(0);
    }

    @Test
    void anOpenThatMeetsARenameIsTriedAgain() throws Exception {
        server.probes().eagainsToInject.set(Exchange.EAGAIN_RETRIES);
        try (RawHttp http = raw()) {
            RawHttp.Response response = http.get("/dir/sub/up-a.txt");
            assertEquals(200, response.status());
            assertEquals("a", response.text());
        }
        assertEquals(0, server.probes().eagainsToInject.get(), "every injected EAGAIN was met");
    }

    @Test
    void anOpenThatKeepsMeetingRenamesTakesTheCanonicalPath() throws Exception {
        server.probes().eagainsToInject.set(Exchange.EAGAIN_RETRIES + 1);
        try (RawHttp http = raw()) {
            RawHttp.Response response = http.get("/dir/sub/up-a.txt");
            assertEquals(200, response.status());
            assertEquals("a", response.text());
        }
        assertEquals(0, server.probes().eagainsToInject.get());
    }

    @Test
    void anOpenThatNeverGetsThroughIsA503ToTryAgainAndTheServerGoesOn() throws Exception {
        server.probes().eagainsToInject.set(1000);
        try (RawHttp http = raw()) {
            RawHttp.Response response = http.get("/dir/sub/up-a.txt");
            assertEquals(503, response.status());
            assertEquals("1", response.header("retry-after"));
            assertEquals(1000 - 2 * (Exchange.EAGAIN_RETRIES + 1), server.probes().eagainsToInject.get(),
                    "tried a bounded number of times, by both paths");
            server.probes().eagainsToInject.set(0);
            assertEquals("a", http.get("/dir/sub/up-a.txt").text());
        }
    }

    @Test
    void renamesElsewhereNeverTurnALinkWithDotDotIntoAnError() throws Exception {
        Path renamed = Files.writeString(site.base.resolve("renamed-a"), "x");
        Path other = site.base.resolve("renamed-b");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> renamerFailed = new AtomicReference<>();
        Thread renamer = new Thread(() -> {
            try {
                while (!stop.get()) {
                    Files.move(renamed, other, StandardCopyOption.ATOMIC_MOVE);
                    Files.move(other, renamed, StandardCopyOption.ATOMIC_MOVE);
                }
            } catch (IOException | RuntimeException e) {
                renamerFailed.set(e);
            }
        }, "renamer");
        renamer.start();
        Map<Integer, Integer> statuses = new TreeMap<>();
        try (RawHttp http = raw()) {
            for (int i = 0; i < 1000; i++) {
                RawHttp.Response response = http.get("/dir/sub/up-a.txt");
                statuses.merge(response.status(), 1, Integer::sum);
                if (response.status() == 200) {
                    assertEquals("a", response.text());
                }
            }
        } finally {
            stop.set(true);
            renamer.join();
        }
        assertEquals(null, renamerFailed.get());
        assertEquals(Map.of(200, 1000), statuses);
    }
}
