package io.linuxaio.netty;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/** What a blocking client read until end of stream: how many bytes, and their SHA-256. */
record Received(long bytes, byte[] sha256) {
    static Received drain(InputStream in) throws IOException {
        MessageDigest digest = Fixtures.sha256();
        byte[] buf = new byte[1 << 16];
        long total = 0;
        for (int n; (n = in.read(buf)) > 0; ) {
            digest.update(buf, 0, n);
            total += n;
        }
        return new Received(total, digest.digest());
    }
}
