package io.linuxaio.examples.http;

import static io.netty.handler.codec.http.HttpResponseStatus.BAD_REQUEST;
import static io.netty.handler.codec.http.HttpResponseStatus.FORBIDDEN;

import io.linuxaio.FileNames;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A request-target reduced to path segments that can be joined to the root and stay under it.
 *
 * <p>The path is percent-decoded exactly once into bytes, because a Linux file name is bytes: each
 * segment's bytes become its name by {@link FileNames#fromBytes}, which keeps bytes that are not
 * UTF-8 as escapes the engine turns back into the same bytes, so every name on disk can be asked
 * for, in any locale. The path is refused when it could name something other than what it seems
 * to: an encoded slash, a backslash, a NUL (raw or encoded) or a raw control byte, a {@code .} or
 * {@code ..} segment. An overlong or otherwise malformed UTF-8 form such as {@code %C0%AE%C0%AE}
 * is no {@code ..} here: it names the bytes C0 AE C0 AE, a name like any other. A percent-encoded
 * control byte other than NUL (a TAB, a line feed) is a byte of a name, so a file whose name holds
 * one can be served; nothing decoded is ever written into a header or a log unescaped. Empty
 * segments ({@code //}) are dropped. What is left names a file only lexically; symbolic links are
 * checked later against the file actually opened.
 *
 * @param rawPath the path as the client sent it, still percent-encoded
 * @param segments the decoded segments as file names, none empty, {@code .} or {@code ..}
 * @param directory whether the path ends with a slash
 */
record RequestTarget(String rawPath, List<String> segments, boolean directory) {

    /** Parses an origin-form ({@code /a/b?q}) or absolute-form ({@code http://host/a/b}) target. */
    static RequestTarget parse(String uri) throws HttpError {
        String path = pathOf(uri);
        byte[] bytes = percentDecode(path);
        List<String> segments = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= bytes.length; i++) {
            if (i < bytes.length && bytes[i] != '/') {
                continue;
            }
            int length = i - start;
            if (length == 1 && bytes[start] == '.' || length == 2 && bytes[start] == '.' && bytes[start + 1] == '.') {
                throw new HttpError(FORBIDDEN, "The path may not contain . or .. segments.");
            }
            if (length > 0) {
                segments.add(FileNames.fromBytes(bytes, start, length));
            }
            start = i + 1;
        }
        return new RequestTarget(path, List.copyOf(segments), bytes.length > 0 && bytes[bytes.length - 1] == '/');
    }

    /**
     * Whether a request can name {@code name}, a name read from a directory: only a name with a
     * backslash cannot, which the server refuses. A listing links the others.
     */
    static boolean canName(String name) {
        return name.indexOf('\\') < 0;
    }

    /** The decoded segments joined with slashes, without a leading one; empty for the root. */
    String relativePath() {
        return String.join("/", segments);
    }

    /** The decoded path with a leading slash, as shown to people (see {@link Html#displayName}). */
    String displayPath() {
        String joined = "/" + Html.displayName(relativePath());
        return directory && !segments.isEmpty() ? joined + "/" : joined;
    }

    private static String pathOf(String uri) throws HttpError {
        String target = uri;
        if (!target.startsWith("/")) {
            int scheme = target.indexOf("://");
            String prefix = scheme < 0 ? "" : target.substring(0, scheme);
            if (!prefix.equalsIgnoreCase("http") && !prefix.equalsIgnoreCase("https")) {
                throw new HttpError(BAD_REQUEST, "The request target must be a path.");
            }
            int slash = target.indexOf('/', scheme + 3);
            int query = target.indexOf('?', scheme + 3);
            if (slash < 0 || (query >= 0 && query < slash)) {
                return "/";
            }
            target = target.substring(slash);
        }
        int query = target.indexOf('?');
        String path = query < 0 ? target : target.substring(0, query);
        if (path.indexOf('#') >= 0) {
            throw new HttpError(BAD_REQUEST, "A fragment does not belong in a request.");
        }
        return path;
    }

    /** Percent-decodes once; the request line reaches us as ISO-8859-1, one char per byte. */
    private static byte[] percentDecode(String path) throws HttpError {
        ByteArrayOutputStream out = new ByteArrayOutputStream(path.length());
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            int b;
            boolean encoded = false;
            if (c == '%') {
                int hi = i + 2 < path.length() ? hex(path.charAt(i + 1)) : -1;
                int lo = hi >= 0 ? hex(path.charAt(i + 2)) : -1;
                if (lo < 0) {
                    throw new HttpError(BAD_REQUEST, "The path has a malformed percent escape.");
                }
                b = hi << 4 | lo;
                encoded = true;
                i += 2;
            } else if (c > 0xff) {
                throw new HttpError(BAD_REQUEST, "The path has a character outside ISO-8859-1.");
            } else {
                b = c;
            }
            if (b == 0) {
                throw new HttpError(BAD_REQUEST, "The path contains a NUL, which no file name can.");
            }
            if (!encoded && (b < 0x20 || b == 0x7f)) {
                throw new HttpError(BAD_REQUEST, "The path contains a control character; percent-encode it.");
            }
            if (b == '\\') {
                throw new HttpError(FORBIDDEN, "The path may not contain a backslash.");
            }
            if (b == '/' && encoded) {
                throw new HttpError(FORBIDDEN, "The path may not contain an encoded slash.");
            }
            out.write(b);
        }
        return out.toByteArray();
    }

    /** The value of an ASCII hex digit, or -1 (Character.digit would take other scripts' digits too). */
    private static int hex(char c) {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }
}
