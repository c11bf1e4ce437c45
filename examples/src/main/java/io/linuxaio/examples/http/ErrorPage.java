package io.linuxaio.examples.http;

import io.netty.handler.codec.http.HttpResponseStatus;

/** The small HTML page sent with every error status. */
final class ErrorPage {
    private ErrorPage() {}

    static String html(HttpResponseStatus status, String reason) {
        String title = status.code() + " " + Html.escape(status.reasonPhrase());
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + title
                + "</title></head>\n<body><h1>" + title + "</h1>\n<p>" + Html.escape(reason)
                + "</p></body></html>\n";
    }
}
