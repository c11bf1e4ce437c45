package io.linuxaio;

import java.util.Objects;

/**
 * Turns a Java path string into the NUL-terminated bytes the kernel takes, losslessly, by
 * {@link FileNames}: in the caller, so a name that no byte string matches throws there.
 */
final class NativePath {
    private NativePath() {}

    static byte[] encode(String path) {
        Objects.requireNonNull(path, "path");
        byte[] text = FileNames.toBytes(path);
        byte[] cString = new byte[text.length + 1];
        System.arraycopy(text, 0, cString, 0, text.length);
        return cString;
    }
}
