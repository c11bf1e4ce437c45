package io.linuxaio.examples;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** HTTP/1.1 by hand over a socket a test made (plain or TLS), for a server in another JVM. */
final class SocketHttp {
    private static final Pattern CONTENT_LENGTH = Pattern.compile("(?i)content-length: (\\d+)");

    private SocketHttp() {}

    /** Sends a GET on a kept-alive connection and returns the response's head, having read its body past. */
    static String get(Socket socket, String path) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: t\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        String head = head(in);
        Matcher length = CONTENT_LENGTH.matcher(head);
        if (length.find()) {
            in.readNBytes(Integer.parseInt(length.group(1)));
        } else if (head.toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked")) {
            for (;;) { // each chunk's size line, its bytes and CRLF, up to the last, empty, chunk
                int size = Integer.parseInt(line(in).strip(), 16);
                in.readNBytes(size + 2);
                if (size == 0) {
                    break;
                }
            }
        }
        return head;
    }

    /** The status line and headers, up to and with the empty line. */
    static String head(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed in the headers: " + head);
            }
            head.append((char) b);
        }
        return head.toString();
    }

    /** The status code of a response head. */
    static int status(String head) {
        return Integer.parseInt(head.substring(9, 12));
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0) {
                throw new IOException("closed in a line");
            }
            line.append((char) b);
        }
        return line.toString();
    }
}
