package io.linuxaio.examples.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The h2c upgrade byte by byte: the 101, then HTTP/2 frames on the same connection, the request
 * answered on stream 1; and the upgrades the server declines, answered over HTTP/1.1 instead.
 */
class H2cUpgradeTest extends ServerTestBase {
    /** SETTINGS_MAX_CONCURRENT_STREAMS 100, SETTINGS_INITIAL_WINDOW_SIZE 10485760 (base64url, as curl sends). */
    private static final String SETTINGS = "AAMAAABkAAQAoAAAAAIAAAAA";
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    /** An empty SETTINGS frame: length 0, type 4, no flags, stream 0. */
    private static final byte[] EMPTY_SETTINGS = {0, 0, 0, 4, 0, 0, 0, 0, 0};

    private static String upgrade(String path, String settings) {
        return "GET " + path + " HTTP/1.1\r\nHost: t\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
                + "HTTP2-Settings: " + settings + "\r\n\r\n";
    }

    /** Reads frames until stream 1 ends; returns the bytes of its DATA frames. */
    private static byte[] stream1Body(DataInputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (;;) {
            int length = in.readUnsignedByte() << 16 | in.readUnsignedShort();
            int type = in.readUnsignedByte();
            int flags = in.readUnsignedByte();
            int stream = in.readInt() & 0x7fffffff;
            byte[] payload = in.readNBytes(length);
            if (payload.length != length) {
                throw new IOException("frame cut short");
            }
            if (type == 7) {
                throw new IOException("GOAWAY: " + new String(payload, StandardCharsets.ISO_8859_1));
            }
            if (stream == 1 && type == 0) {
                body.write(payload, 0, length - ((flags & 0x8) != 0 ? (payload[0] & 0xff) + 1 : 0));
            }
            if (stream == 1 && (type == 0 || type == 1) && (flags & 0x1) != 0) {
                return body.toByteArray();
            }
        }
    }

    @Test
    void theUpgradeRequestIsAnsweredOnStream1EvenWithThePrefaceSentAlongWithIt() throws Exception {
        try (RawHttp http = raw()) {
            // The preface and SETTINGS in the same write as the request, before the 101: they must
            // reach the HTTP/2 codec, not be lost with the HTTP/1.1 decoder.
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            all.writeBytes(upgrade("/hello.txt", SETTINGS).getBytes(StandardCharsets.US_ASCII));
            all.writeBytes(PREFACE);
            all.writeBytes(EMPTY_SETTINGS);
            http.socket.getOutputStream().write(all.toByteArray());
            RawHttp.Response switching = http.readHead();
            assertEquals(101, switching.status());
            assertEquals("h2c", switching.header("upgrade"));
            assertArrayEquals("hello, world\n".getBytes(StandardCharsets.US_ASCII), stream1Body(new DataInputStream(http.input())));
        }
    }

    @Test
    void theAnswerOnStream1WaitsForTheClientsPrefaceSoOnlySettingsFollowThe101() throws Exception {
        // curl 7.88 fails an upgrade when more than 32 KiB follow the 101 in the read that brings it.
        // 60,000 bytes: more than that, and within the connection's first flow-control window,
        // which this client never opens further.
        byte[] body = new byte[60_000];
        new java.util.Random(12).nextBytes(body);
        writeCached("upgrade-60k.bin", body);
        try (RawHttp http = raw()) {
            http.send(upgrade("/upgrade-60k.bin", SETTINGS));
            assertEquals(101, http.readHead().status());
            DataInputStream in = new DataInputStream(http.input());
            List<String> beforePreface = framesUntilQuiet(http, in);
            assertTrue(beforePreface.contains("type 4 on stream 0"), "the server's SETTINGS: " + beforePreface);
            assertTrue(beforePreface.stream().noneMatch(frame -> frame.endsWith("on stream 1")),
                    "nothing on stream 1 before the client's preface: " + beforePreface);
            http.socket.getOutputStream().write(PREFACE);
            http.socket.getOutputStream().write(EMPTY_SETTINGS);
            assertArrayEquals(body, stream1Body(in));
        }
    }

    /** The frames that arrive until none has for half a second, as "type T on stream S". */
    private static List<String> framesUntilQuiet(RawHttp http, DataInputStream in) throws IOException {
        List<String> frames = new ArrayList<>();
        int timeout = http.socket.getSoTimeout();
        http.socket.setSoTimeout(500);
        try {
            for (;;) {
                int length = in.readUnsignedByte() << 16 | in.readUnsignedShort();
                int type = in.readUnsignedByte();
                in.readUnsignedByte(); // flags
                int stream = in.readInt() & 0x7fffffff;
                in.readNBytes(length);
                frames.add("type " + type + " on stream " + stream);
            }
        } catch (SocketTimeoutException quiet) {
            return frames;
        } finally {
            http.socket.setSoTimeout(timeout);
        }
    }

    @Test
    void aMalformedHttp2SettingsIsAnsweredOverHttp11() throws Exception {
        try (RawHttp http = raw()) {
            http.send(upgrade("/hello.txt", "!!not base64!!"));
            RawHttp.Response response = http.read(true);
            assertEquals(200, response.status());
            assertNull(response.header("upgrade"));
            assertEquals("hello, world\n", response.text());
            assertEquals(200, http.get("/style.css").status(), "the connection still speaks HTTP/1.1");
        }
    }

    @Test
    void anUpgradeWithRequestsPipelinedBehindItIsAnsweredOverHttp11() throws Exception {
        try (RawHttp http = raw()) {
            // A 101 here would leave the second request's answer nowhere to go, and the h2 codec
            // would take its bytes for frames.
            http.send(upgrade("/hello.txt", SETTINGS) + "GET /style.css HTTP/1.1\r\nHost: t\r\n\r\n");
            RawHttp.Response first = http.read(true);
            assertEquals(200, first.status());
            assertEquals("hello, world\n", first.text());
            RawHttp.Response second = http.read(true);
            assertEquals(200, second.status());
            assertEquals("body { color: red }\n", second.text());
        }
    }

    @Test
    void anUpgradeParsedWhileAResponseIsUnderWayWaitsItsTurnThenUpgrades() throws Exception {
        try (RawHttp http = raw()) {
            http.send("GET /data.bin HTTP/1.1\r\nHost: t\r\n\r\n" + upgrade("/hello.txt", SETTINGS));
            assertArrayEquals(site.data, http.read(true).body());
            // Parsed while data.bin was sent, with nothing behind it: its turn comes after that
            // response's last byte, and then nothing else is under way.
            RawHttp.Response head = http.readHead();
            assertEquals(101, head.status());
            http.socket.getOutputStream().write(PREFACE);
            http.socket.getOutputStream().write(EMPTY_SETTINGS);
            assertArrayEquals("hello, world\n".getBytes(StandardCharsets.US_ASCII), stream1Body(new DataInputStream(http.input())));
        }
    }
}
