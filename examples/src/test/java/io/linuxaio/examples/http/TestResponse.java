package io.linuxaio.examples.http;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLSession;

/**
 * A response read by a client other than the JDK's ({@link H2Client}), in the JDK's form, so a test
 * asserts the same way whichever client sent its request.
 */
final class TestResponse implements HttpResponse<byte[]> {
    private final int status;
    private final HttpHeaders headers;
    private final byte[] body;
    private final URI uri;
    private final HttpClient.Version version;

    TestResponse(int status, Map<String, List<String>> headers, byte[] body, URI uri, HttpClient.Version version) {
        this.status = status;
        this.headers = HttpHeaders.of(headers, (name, value) -> true);
        this.body = body;
        this.uri = uri;
        this.version = version;
    }

    @Override
    public int statusCode() {
        return status;
    }

    /** None: the request may have named a target no {@link HttpRequest} could hold. */
    @Override
    public HttpRequest request() {
        return null;
    }

    @Override
    public Optional<HttpResponse<byte[]>> previousResponse() {
        return Optional.empty();
    }

    @Override
    public HttpHeaders headers() {
        return headers;
    }

    @Override
    public byte[] body() {
        return body;
    }

    @Override
    public Optional<SSLSession> sslSession() {
        return Optional.empty();
    }

    @Override
    public URI uri() {
        return uri;
    }

    @Override
    public HttpClient.Version version() {
        return version;
    }
}
