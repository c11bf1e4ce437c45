package io.linuxaio;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** File names are bytes: every byte string has exactly one name, and every name is its own bytes. */
class FileNamesTest {
    @Test
    void utf8NamesAreTheirUtf8Bytes() {
        for (String name : new String[] {"", "plain.txt", "café", "日本語", "emoji-\uD83D\uDE00", "a b\tc\n"}) {
            assertArrayEquals(name.getBytes(StandardCharsets.UTF_8), FileNames.toBytes(name), name);
            assertEquals(name, FileNames.fromBytes(name.getBytes(StandardCharsets.UTF_8)), name);
        }
    }

    @Test
    void bytesThatAreNotUtf8BecomeEscapesThatTurnBackIntoThem() {
        byte[] latin1 = {'c', 'a', 'f', (byte) 0xE9}; // "café" in ISO-8859-1
        String name = FileNames.fromBytes(latin1);
        assertEquals("caf\uDCE9", name);
        assertArrayEquals(latin1, FileNames.toBytes(name));
        assertEquals("caf\uFFFD", FileNames.forDisplay(name));
    }

    @Test
    void malformedSequencesAreEscapedByteByByteNeverDecodedToWhatTheyImitate() {
        // An overlong '/' and '.', a UTF-8 encoded surrogate, a truncated sequence, and a code point above U+10FFFF.
        byte[][] cases = {
            {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xC0, (byte) 0xAE}, {(byte) 0xE0, (byte) 0x80, (byte) 0xAF},
            {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xE2, (byte) 0x82}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
        };
        for (byte[] bytes : cases) {
            String name = FileNames.fromBytes(bytes);
            assertEquals(bytes.length, name.length(), "one escape per byte");
            for (int i = 0; i < bytes.length; i++) {
                assertEquals(0xDC00 + (bytes[i] & 0xFF), name.charAt(i));
            }
            assertArrayEquals(bytes, FileNames.toBytes(name));
        }
    }

    @Test
    void everyByteStringSurvivesTheRoundTrip() {
        Random random = new Random(42);
        for (int round = 0; round < 20_000; round++) {
            byte[] bytes = new byte[random.nextInt(12)];
            for (int i = 0; i < bytes.length; i++) {
                // Weighted towards the bytes that make and break UTF-8 sequences.
                bytes[i] = (byte) (random.nextBoolean() ? 0x80 + random.nextInt(0x80) : 1 + random.nextInt(0x7F));
            }
            assertArrayEquals(bytes, FileNames.toBytes(FileNames.fromBytes(bytes)), () -> java.util.HexFormat.of().formatHex(bytes));
        }
        for (int b = 1; b < 256; b++) {
            byte[] one = {(byte) b};
            assertArrayEquals(one, FileNames.toBytes(FileNames.fromBytes(one)), "byte " + b);
        }
    }

    @Test
    void namesNoByteStringHasAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> FileNames.toBytes("a\0b"));
        assertThrows(IllegalArgumentException.class, () -> FileNames.toBytes("lone high \uD83D"));
        assertThrows(IllegalArgumentException.class, () -> FileNames.toBytes("lone low \uDC10"), "only U+DC80..U+DCFF are bytes");
        assertThrows(NullPointerException.class, () -> FileNames.toBytes(null));
    }
}
