package io.linuxaio.examples.http;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** A bare HTTP/1.1 client over a socket, for input the JDK client would never send and for exact framing checks. */
final class RawHttp implements AutoCloseable {
    /** A parsed response: status, headers with lower-case names, and the body framed by Content-Length. */
    record Response(int status, Map<String, String> headers, byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawHttp(InetSocketAddress server) throws IOException {
        this(new Socket(), server);
    }

    /** Over a socket the caller made (configured before connecting, or a TLS socket). */
    RawHttp(Socket socket, InetSocketAddress server) throws IOException {
        this.socket = socket;
        if (!socket.isConnected()) {
            socket.connect(server, 10_000);
        }
        socket.setSoTimeout(30_000);
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    RawHttp send(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return this;
    }

    /** Sends {@code METHOD path HTTP/1.1} with a Host header and any extra header lines. */
    RawHttp request(String method, String path, String... headerLines) throws IOException {
        StringBuilder request = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: test\r\n");
        for (String line : headerLines) {
            request.append(line).append("\r\n");
        }
        return send(request.append("\r\n").toString());
    }

    Response get(String path, String... headerLines) throws IOException {
        return request("GET", path, headerLines).read(true);
    }

    /**
     * Reads one response; {@code withBody} false for HEAD and 304, whose Content-Length frames
     * nothing. A chunked body is read to its last chunk.
     */
    Response read(boolean withBody) throws IOException {
        String statusLine = line();
        if (!statusLine.startsWith("HTTP/1.1 ")) {
            throw new IOException("not a status line: " + statusLine);
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        Map<String, String> headers = readHeaders();
        byte[] body = new byte[0];
        String length = headers.get("content-length");
        if (withBody && status != 304 && "chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = chunkedBody();
        } else if (withBody && status != 304 && length != null) {
            body = in.readNBytes(Integer.parseInt(length));
            if (body.length != Integer.parseInt(length)) {
                throw new EOFException("body cut short at " + body.length + " of " + length);
            }
        }
        return new Response(status, headers, body);
    }

    /** Reads a status line and headers only, leaving the body in the stream. */
    Response readHead() throws IOException {
        String statusLine = line();
        return new Response(Integer.parseInt(statusLine.substring(9, 12)), readHeaders(), new byte[0]);
    }

    InputStream input() {
        return in;
    }

    /** Whether the server closed the connection: end of stream (or a reset) within the socket timeout. */
    boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    /** A chunked body, after its head: the chunks' bytes joined, up to the last (empty) chunk and its trailers. */
    byte[] chunkedBody() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (;;) {
            String sizeLine = line();
            int semicolon = sizeLine.indexOf(';');
            int size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
            if (size == 0) {
                while (!line().isEmpty()) {
                    // trailers: none expected
                }
                return body.toByteArray();
            }
            byte[] chunk = in.readNBytes(size);
            if (chunk.length != size) {
                throw new EOFException("chunk cut short at " + chunk.length + " of " + size);
            }
            body.write(chunk);
            if (!line().isEmpty()) {
                throw new IOException("no line end after a chunk");
            }
        }
    }

    private Map<String, String> readHeaders() throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = line(); !line.isEmpty(); line = line()) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        return headers;
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (;;) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed after " + line.size() + " bytes of a line");
            }
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
