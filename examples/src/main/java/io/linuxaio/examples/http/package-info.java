/**
 * The static file HTTP server: {@link io.linuxaio.examples.http.FileServer} is the whole public
 * API, with {@link io.linuxaio.examples.http.AccessLogFormat} for its log. Inside, an
 * {@code AcceptLimiter} on the listening socket caps connections and rides out a shortage of
 * descriptors; {@code Pipelines} sets a connection up for the protocol it speaks
 * ({@code ProtocolDetector} on a plain port, {@code AlpnHandler} after TLS, {@code H2cUpgrade});
 * per HTTP/1.1 connection a {@code RequestDecoder} parses requests (and stops while enough
 * wait) and one {@code FileRequestHandler} answers them in order, while each HTTP/2 stream is a
 * child channel with a {@code FileRequestHandler} of its own; one {@code Exchange} per request
 * walks open, check, stat and write through the engine context of the connection's event loop,
 * and a {@code ListingStream} sends a directory listing as it is made. Small pure classes hold
 * the HTTP rules: {@code RequestTarget} (path decoding into file-name bytes, and refusal),
 * {@code RangeRequest}, {@code Validators}, {@code AcceptEncoding}, {@code HttpDates},
 * {@code ContentTypes}, {@code DirectoryListing} (in {@code NaturalOrder}), {@code Html},
 * {@code ErrorPage}, {@code MultipartRanges} and {@code AccessLog}. {@code ServerCounters} counts
 * what was answered; a {@code MetricsEndpoint} with its {@code MetricsHandler} shows that and the
 * engine's meters at {@code /metrics} on a listener of its own.
 */
package io.linuxaio.examples.http;
