package io.linuxaio.examples.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The framing of a {@code multipart/byteranges} body (RFC 9110 § 14.6): one header block before
 * each range's bytes and a closing delimiter, with the exact total length for Content-Length.
 */
final class MultipartRanges {
    private final String boundary;
    private final List<byte[]> partHeaders;
    private final byte[] closing;
    private final long contentLength;

    MultipartRanges(List<ByteRange> ranges, String partType, long total, String boundary) {
        this.boundary = boundary;
        List<byte[]> headers = new ArrayList<>(ranges.size());
        long length = 0;
        for (ByteRange range : ranges) {
            byte[] header = ("\r\n--" + boundary + "\r\nContent-Type: " + partType + "\r\nContent-Range: "
                    + range.contentRange(total) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            headers.add(header);
            length += header.length + range.length();
        }
        this.partHeaders = List.copyOf(headers);
        this.closing = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
        this.contentLength = length + closing.length;
    }

    /** A boundary of 32 random hex digits: it cannot be mistaken for file bytes by chance. */
    static String newBoundary() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return Long.toHexString(random.nextLong() | Long.MIN_VALUE) + Long.toHexString(random.nextLong() | Long.MIN_VALUE);
    }

    String contentType() {
        return "multipart/byteranges; boundary=" + boundary;
    }

    /** The header block sent before part {@code i}, starting with the CRLF of its delimiter. */
    byte[] partHeader(int i) {
        return partHeaders.get(i);
    }

    byte[] closing() {
        return closing;
    }

    long contentLength() {
        return contentLength;
    }
}
