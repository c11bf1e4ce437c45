/**
 * The static file HTTP server: {@link io.linuxaio.examples.http.FileServer} is the whole public
 * API. Inside, one {@code FileRequestHandler} per connection answers requests in order, one
 * {@code Exchange} per request walks open, check, stat and write through the engine context of the
 * connection's event loop, and small pure classes hold the HTTP rules: {@code RequestTarget}
 * (path decoding and refusal), {@code RangeRequest}, {@code Validators}, {@code HttpDates},
 * {@code ContentTypes}, {@code DirectoryListing}, {@code ErrorPage}, {@code MultipartRanges} and
 * {@code AccessLog}.
 */
package io.linuxaio.examples.http;
