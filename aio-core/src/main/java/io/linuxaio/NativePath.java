package io.linuxaio;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** Turns a Java path string into the NUL-terminated bytes the kernel takes, refusing what would be misread. */
final class NativePath {
    /** The charset the JDK itself uses for file names, so our names and java.io's agree. */
    private static final Charset CHARSET = fileNameCharset();

    private NativePath() {}

    static byte[] encode(String path) {
        Objects.requireNonNull(path, "path");
        // An embedded NUL would silently name a different, shorter path in C.
        if (path.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("path contains a NUL character: " + path.replace('\0', '?'));
        }
        byte[] text = path.getBytes(CHARSET);
        byte[] cString = new byte[text.length + 1];
        System.arraycopy(text, 0, cString, 0, text.length);
        return cString;
    }

    static Charset charset() {
        return CHARSET;
    }

    private static Charset fileNameCharset() {
        String name = System.getProperty("sun.jnu.encoding");
        try {
            return name == null ? StandardCharsets.UTF_8 : Charset.forName(name);
        } catch (RuntimeException unsupported) {
            return StandardCharsets.UTF_8;
        }
    }
}
