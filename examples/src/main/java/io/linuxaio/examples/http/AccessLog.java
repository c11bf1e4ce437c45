package io.linuxaio.examples.http;

import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One line per response in the common or combined log format, handed to a sink on a thread of its
 * own.
 *
 * <p>Event loops only queue lines: writing to stdout is a write to whatever stdout is (a file, a
 * slow pipe) and must not stall a loop. When the queue is full, lines are dropped and counted
 * rather than waited for.
 */
final class AccessLog implements AutoCloseable {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final String STOP = new String("stop");

    private final BlockingQueue<String> lines = new ArrayBlockingQueue<>(16_384);
    private final AtomicLong dropped = new AtomicLong();
    private final AccessLogFormat format;
    private final Thread writer;

    AccessLog(Consumer<String> sink, AccessLogFormat format) {
        this.format = format;
        writer = new Thread(() -> drainTo(sink), "access-log");
        writer.setDaemon(true);
        writer.start();
    }

    /**
     * The line for one response in this log's format.
     *
     * @param requestLine the request line, or empty when none could be read (logged as {@code -})
     * @param referer the Referer header, or null; only the combined format shows it
     * @param userAgent the User-Agent header, or null; only the combined format shows it
     */
    String line(SocketAddress remote, Instant time, String requestLine, int status, long bytes, String referer,
                String userAgent) {
        String common = line(remote, time, requestLine, status, bytes);
        if (format == AccessLogFormat.COMMON) {
            return common;
        }
        return common + " \"" + quoted(referer) + "\" \"" + quoted(userAgent) + "\"";
    }

    /**
     * {@code host - - [date] "request line" status bytes}: bytes is {@code -} when no body was sent,
     * an empty request line is {@code -}, and an IPv6 host is in its short form ({@code ::1}).
     */
    static String line(SocketAddress remote, Instant time, String requestLine, int status, long bytes) {
        String host = remote instanceof InetSocketAddress inet && inet.getAddress() != null
                ? NetUtil.toAddressString(inet.getAddress()) : "-";
        return host + " - - [" + TIME.format(time) + "] \"" + quoted(requestLine) + "\" " + status + " "
                + (bytes > 0 ? Long.toString(bytes) : "-");
    }

    private static String quoted(String text) {
        return text == null || text.isEmpty() ? "-" : escape(text);
    }

    /** Queues a line; never blocks. */
    void log(String line) {
        if (!lines.offer(line)) {
            dropped.incrementAndGet();
        }
    }

    long dropped() {
        return dropped.get();
    }

    /** Writes what is queued, then stops the writer thread. */
    @Override
    public void close() {
        boolean interrupted = false;
        for (;;) {
            try {
                lines.put(STOP);
                writer.join(TimeUnit.SECONDS.toMillis(10));
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void drainTo(Consumer<String> sink) {
        for (;;) {
            String line;
            try {
                line = lines.take();
            } catch (InterruptedException e) {
                return;
            }
            if (line == STOP) {
                return;
            }
            try {
                sink.accept(line);
            } catch (RuntimeException e) {
                dropped.incrementAndGet();
            }
        }
    }

    /**
     * Quotes and control characters from the client would forge log lines, and bytes beyond ASCII
     * would reach a terminal or a log reader raw (or as '?' under an ASCII locale): show each as an
     * escape, as nginx does, so a line is printable ASCII whatever the request held. The request
     * line arrives one char per byte; a char beyond a byte (a lone surrogate from a decoded name,
     * should one ever be logged) is shown as {@code \\uXXXX}.
     */
    private static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20 || c >= 0x7f && c <= 0xff) {
                out.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
            } else if (c > 0xff) {
                out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
