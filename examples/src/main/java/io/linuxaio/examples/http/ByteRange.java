package io.linuxaio.examples.http;

/** An inclusive byte range of a representation, already satisfiable: {@code first <= last < length}. */
record ByteRange(long first, long last) {
    long length() {
        return last - first + 1;
    }

    /** The Content-Range value for this range of a representation of {@code total} bytes. */
    String contentRange(long total) {
        return "bytes " + first + "-" + last + "/" + total;
    }
}
