package io.linuxaio.examples.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code cacheControl(...)} is sent with files (200, 206, 304), never with listings, redirects or errors. */
class CacheControlTest extends EveryProtocolTestBase {
    static final String POLICY = "public, max-age=3600, immutable";

    @BeforeAll
    static void startServer() throws Exception {
        start(builder -> builder.cacheControl(POLICY));
    }

    private static Optional<String> cacheControl(HttpResponse<byte[]> response) {
        return response.headers().firstValue("cache-control");
    }

    @Test
    void filesCarryTheConfiguredPolicy() throws Exception {
        HttpResponse<byte[]> whole = get("/hello.txt");
        assertEquals(200, whole.statusCode());
        assertEquals(Optional.of(POLICY), cacheControl(whole));
        HttpResponse<byte[]> part = get("/data.bin", "Range", "bytes=0-9");
        assertEquals(206, part.statusCode());
        assertEquals(Optional.of(POLICY), cacheControl(part));
        HttpResponse<byte[]> parts = get("/data.bin", "Range", "bytes=0-9, 100-109");
        assertEquals(206, parts.statusCode());
        assertEquals(Optional.of(POLICY), cacheControl(parts));
        HttpResponse<byte[]> notModified = get("/hello.txt", "If-None-Match", whole.headers().firstValue("etag").orElseThrow());
        assertEquals(304, notModified.statusCode());
        assertEquals(Optional.of(POLICY), cacheControl(notModified));
        assertEquals(Optional.of(POLICY), cacheControl(send("HEAD", "/hello.txt")));
        assertEquals(Optional.of(POLICY), cacheControl(get("/site/")), "a directory's index.html is a file");
    }

    @Test
    void listingsRedirectsAndErrorsDoNot() throws Exception {
        HttpResponse<byte[]> listing = get("/dir/");
        assertEquals(200, listing.statusCode());
        assertEquals(Optional.of("no-cache"), cacheControl(listing), "a listing changes with its directory");
        for (String path : new String[] {"/dir", "/missing.txt", "/outside-link.txt"}) {
            HttpResponse<byte[]> response = get(path);
            assertEquals(Optional.empty(), cacheControl(response), path + " " + response.statusCode());
        }
        HttpResponse<byte[]> unsatisfiable = get("/hello.txt", "Range", "bytes=100-");
        assertEquals(416, unsatisfiable.statusCode());
        assertEquals(Optional.empty(), cacheControl(unsatisfiable));
        HttpResponse<byte[]> notAllowed = send("DELETE", "/hello.txt");
        assertEquals(405, notAllowed.statusCode());
        assertEquals(Optional.empty(), cacheControl(notAllowed));
    }

    @Test
    void withoutAPolicyFilesCarryNone() throws Exception {
        try (TestSite other = new TestSite(); FileServer plain = FileServer.builder(other.root).port(0).threads(1).start()) {
            HttpResponse<byte[]> response = client.send(java.net.http.HttpRequest.newBuilder(plain.uri().resolve("/hello.txt"))
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, response.statusCode());
            assertEquals(Optional.empty(), cacheControl(response));
        }
    }

    @Test
    void aValueThatCouldEndItsHeaderIsRefusedByTheBuilder() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> FileServer.builder(site.root).cacheControl("max-age=1\r\nSet-Cookie: x=1"));
    }
}
