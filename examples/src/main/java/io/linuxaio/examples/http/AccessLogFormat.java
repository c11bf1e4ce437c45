package io.linuxaio.examples.http;

/** The access log's line format, as nginx and Apache name them. */
public enum AccessLogFormat {
    /** {@code host - - [date] "request line" status bytes}: the common log format. */
    COMMON,
    /** The common format, then {@code "referer" "user agent"}, each escaped and {@code -} when absent. */
    COMBINED
}
