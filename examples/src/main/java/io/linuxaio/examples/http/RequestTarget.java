package io.linuxaio.examples.http;

import static io.netty.handler.codec.http.HttpResponseStatus.BAD_REQUEST;
import static io.netty.handler.codec.http.HttpResponseStatus.FORBIDDEN;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A request-target reduced to path segments that can be joined to the root and stay under it.
 *
 * <p>The path is percent-decoded exactly once, then refused when it could name something other
 * than what it seems to: an encoded slash, a backslash, a NUL or other control byte, a {@code .} or
 * {@code ..} segment, or bytes that are not well-formed UTF-8 (overlong forms included). Empty
 * segments ({@code //}) are dropped. What is left names a file only lexically; symbolic links are
 * checked later against the file actually opened.
 *
 * @param rawPath the path as the client sent it, still percent-encoded (for redirects and logs)
 * @param segments the decoded segments, none empty, {@code .} or {@code ..}
 * @param directory whether the path ends with a slash
 */
record RequestTarget(String rawPath, List<String> segments, boolean directory) {

    /** Parses an origin-form ({@code /a/b?q}) or absolute-form ({@code http://host/a/b}) target. */
    static RequestTarget parse(String uri) throws HttpError {
        String path = pathOf(uri);
        byte[] bytes = percentDecode(path);
        String decoded = utf8(bytes);
        List<String> segments = new ArrayList<>();
        for (String segment : decoded.split("/", -1)) {
            if (segment.isEmpty()) {
                continue;
            }
            if (segment.equals(".") || segment.equals("..")) {
                throw new HttpError(FORBIDDEN, "The path may not contain . or .. segments.");
            }
            segments.add(segment);
        }
        return new RequestTarget(path, List.copyOf(segments), decoded.endsWith("/"));
    }

    /** The decoded segments joined with slashes, without a leading one; empty for the root. */
    String relativePath() {
        return String.join("/", segments);
    }

    /** The decoded path with a leading slash, as shown to people. */
    String displayPath() {
        String joined = "/" + relativePath();
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
                int hi = i + 2 < path.length() ? Character.digit(path.charAt(i + 1), 16) : -1;
                int lo = hi >= 0 ? Character.digit(path.charAt(i + 2), 16) : -1;
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
            if (b < 0x20 || b == 0x7f) {
                throw new HttpError(BAD_REQUEST, "The path contains a control character or NUL.");
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

    /** Strict UTF-8: the JDK decoder refuses overlong forms, surrogates and stray bytes. */
    private static String utf8(byte[] bytes) throws HttpError {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new HttpError(BAD_REQUEST, "The path is not valid UTF-8.");
        }
    }
}
