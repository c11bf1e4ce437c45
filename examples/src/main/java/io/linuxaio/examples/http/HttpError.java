package io.linuxaio.examples.http;

import io.netty.handler.codec.http.HttpResponseStatus;

/** A request that ends in an error page: the status to answer with and a short reason for the page. */
final class HttpError extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient HttpResponseStatus status;

    HttpError(HttpResponseStatus status, String reason) {
        super(reason, null, false, false); // Expected outcomes, thrown per bad request: no stack trace.
        this.status = status;
    }

    HttpResponseStatus status() {
        return status;
    }
}
