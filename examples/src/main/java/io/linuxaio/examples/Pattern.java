package io.linuxaio.examples;

/** The bytes the self-checks write: a function of the file offset, so any range can be verified alone. */
final class Pattern {
    private Pattern() {}

    /** The {@code length} bytes that belong at file offset {@code from}. */
    static byte[] bytes(long from, int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            long offset = from + i;
            // A multiplicative hash: neighbouring offsets differ, and no short period repeats.
            bytes[i] = (byte) ((offset * 0x9E3779B97F4A7C15L) >>> 56);
        }
        return bytes;
    }
}
