package io.linuxaio.examples.http;

import static io.netty.handler.codec.http.HttpHeaderNames.ACCEPT_ENCODING;
import static io.netty.handler.codec.http.HttpHeaderNames.ACCEPT_RANGES;
import static io.netty.handler.codec.http.HttpHeaderNames.ALLOW;
import static io.netty.handler.codec.http.HttpHeaderNames.CACHE_CONTROL;
import static io.netty.handler.codec.http.HttpHeaderNames.CONTENT_ENCODING;
import static io.netty.handler.codec.http.HttpHeaderNames.CONTENT_LENGTH;
import static io.netty.handler.codec.http.HttpHeaderNames.CONTENT_RANGE;
import static io.netty.handler.codec.http.HttpHeaderNames.CONTENT_TYPE;
import static io.netty.handler.codec.http.HttpHeaderNames.DATE;
import static io.netty.handler.codec.http.HttpHeaderNames.ETAG;
import static io.netty.handler.codec.http.HttpHeaderNames.IF_MODIFIED_SINCE;
import static io.netty.handler.codec.http.HttpHeaderNames.IF_NONE_MATCH;
import static io.netty.handler.codec.http.HttpHeaderNames.IF_RANGE;
import static io.netty.handler.codec.http.HttpHeaderNames.LAST_MODIFIED;
import static io.netty.handler.codec.http.HttpHeaderNames.LOCATION;
import static io.netty.handler.codec.http.HttpHeaderNames.RANGE;
import static io.netty.handler.codec.http.HttpHeaderNames.RETRY_AFTER;
import static io.netty.handler.codec.http.HttpHeaderNames.VARY;
import static io.netty.handler.codec.http.HttpResponseStatus.FORBIDDEN;
import static io.netty.handler.codec.http.HttpResponseStatus.INTERNAL_SERVER_ERROR;
import static io.netty.handler.codec.http.HttpResponseStatus.METHOD_NOT_ALLOWED;
import static io.netty.handler.codec.http.HttpResponseStatus.MOVED_PERMANENTLY;
import static io.netty.handler.codec.http.HttpResponseStatus.NOT_ACCEPTABLE;
import static io.netty.handler.codec.http.HttpResponseStatus.NOT_FOUND;
import static io.netty.handler.codec.http.HttpResponseStatus.NOT_MODIFIED;
import static io.netty.handler.codec.http.HttpResponseStatus.OK;
import static io.netty.handler.codec.http.HttpResponseStatus.PARTIAL_CONTENT;
import static io.netty.handler.codec.http.HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE;
import static io.netty.handler.codec.http.HttpVersion.HTTP_1_1;

import io.linuxaio.AioContext;
import io.linuxaio.AioException;
import io.linuxaio.AioFile;
import io.linuxaio.Fcntl;
import io.linuxaio.Resolve;
import io.linuxaio.Stat;
import io.linuxaio.netty.AioFileRegion;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * One request and its response, from the first file system call to the last byte written.
 *
 * <p>Runs entirely on the channel's event loop: every file system call goes to the engine context
 * of that loop, so every callback lands back here. A file is opened relative to the root's
 * descriptor with {@code openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)}, so the kernel refuses
 * any way out of the root while it resolves the path, a symbolic link swapped in after the lexical
 * checks included; the stat of the new descriptor comes back in the same trip through the worker
 * pool. Where openat2 is missing, the file is opened by its full path and the canonical path of the
 * descriptor itself ({@code realpath} of {@code /proc/self/fd/N}) must lie under the root. Each
 * opened file is closed through the engine once the writes that read from it are done, however
 * they end.
 *
 * <p>A body of up to {@link Pipelines#WHOLE_BODY_MAX_BYTES} (one range of a file, or all) that the
 * page cache holds is read whole, over HTTP/1.1 straight in behind its head's bytes, and leaves
 * with its head as one complete response: most requests to a static site are for such files, and a
 * region costs each a request through the engine, a callback, a chunk and three writes more, or
 * the mmap, mincore and munmap that make a sendfile safe on the loop. Up to
 * {@link Pipelines#READ_BODY_MAX_BYTES} the read is a request of its own, made with the other reads
 * and closes of the loop's pass in one {@code io_uring_enter}; larger ones are tried on the spot
 * ({@code LinuxAio.readIfCached}).
 */
final class Exchange {
    static final String ALLOWED_METHODS = "GET, HEAD";
    private static final String INDEX = "index.html";
    /** The Vary value of a file that has precompressed siblings, spelt as nginx and Caddy spell it. */
    private static final String VARIES_BY = "Accept-Encoding";
    /** Regular files and directories only: O_NONBLOCK keeps a FIFO from holding a worker forever. */
    private static final int OPEN_FLAGS = Fcntl.O_RDONLY | Fcntl.O_NONBLOCK | Fcntl.O_NOCTTY;

    private static final int BENEATH = Resolve.RESOLVE_BENEATH | Resolve.RESOLVE_NO_MAGICLINKS;
    /** Tries after the first that an open racing renames gets before the canonical path is taken. */
    static final int EAGAIN_RETRIES = 3;

    /**
     * A file opened and checked: inside the root, with the stat of the descriptor itself.
     *
     * @param relativePath a path under the root that led to it (for a directory's index.html)
     */
    private record Opened(AioFile file, String relativePath, Stat stat) {}

    private final FileRequestHandler owner;
    private final ChannelHandlerContext ctx;
    private final Site site;
    private final AioContext aio;
    private final HttpRequest request;
    private final boolean head;
    private boolean keepAlive;
    private RequestTarget target;
    private int status;
    private long bodyBytes;
    private boolean responded;
    private boolean finished;

    Exchange(FileRequestHandler owner, ChannelHandlerContext ctx, Site site, HttpRequest request, boolean keepAlive) {
        this.owner = owner;
        this.ctx = ctx;
        this.site = site;
        this.aio = site.context(ctx.channel());
        this.request = request;
        this.head = HttpMethod.HEAD.equals(request.method());
        this.keepAlive = keepAlive;
    }

    HttpRequest request() {
        return request;
    }

    int status() {
        return status;
    }

    long bodyBytes() {
        return bodyBytes;
    }

    boolean keepAlive() {
        return keepAlive;
    }

    void start() {
        DecoderResult decoded = request.decoderResult();
        if (decoded.isFailure()) {
            keepAlive = false; // The decoder discards the rest of the connection's input.
            Throwable cause = decoded.cause();
            if (cause instanceof TooLongHttpLineException) {
                sendError(HttpResponseStatus.REQUEST_URI_TOO_LONG, "The request line is too long.");
            } else if (cause instanceof TooLongHttpHeaderException) {
                sendError(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "The request headers are too large.");
            } else {
                sendError(HttpResponseStatus.BAD_REQUEST, "The request could not be parsed.");
            }
            return;
        }
        if (!head && !HttpMethod.GET.equals(request.method())) {
            FullHttpResponse response = page(METHOD_NOT_ALLOWED, "This server only reads files: use GET or HEAD.");
            response.headers().set(ALLOW, ALLOWED_METHODS);
            send(response);
            return;
        }
        try {
            target = RequestTarget.parse(request.uri());
        } catch (HttpError e) {
            sendError(e.status(), e.getMessage());
            return;
        }
        openChecked(target.relativePath(), this::found);
    }

    // ---------------------------------------------------------------- resolving

    private void found(Opened opened, Throwable error) {
        if (error != null) {
            fail(error);
        } else if (opened.stat().isDirectory()) {
            directory(opened);
        } else if (opened.stat().isRegularFile() && target.directory()) {
            close(opened.file());
            sendError(NOT_FOUND, "There is no such directory.");
        } else if (opened.stat().isRegularFile()) {
            serveFile(opened, target.segments().isEmpty() ? "" : target.segments().get(target.segments().size() - 1));
        } else {
            close(opened.file());
            sendError(FORBIDDEN, "That is not a regular file.");
        }
    }

    /** A directory, still open: redirect, its index.html, or a listing read through its descriptor. */
    private void directory(Opened dir) {
        if (!target.directory() && !target.segments().isEmpty()) {
            close(dir.file());
            StringBuilder location = new StringBuilder();
            for (String segment : target.segments()) {
                location.append('/').append(Html.encodeSegment(segment));
            }
            FullHttpResponse response = page(MOVED_PERMANENTLY, "This is a directory; its address ends with a slash.");
            response.headers().set(LOCATION, location.append('/').toString());
            send(response);
            return;
        }
        String under = dir.relativePath();
        openChecked(under.isEmpty() ? INDEX : under + "/" + INDEX, (index, error) -> {
            if (error == null && index.stat().isRegularFile()) {
                close(dir.file());
                serveFile(index, INDEX);
                return;
            }
            if (index != null) {
                close(index.file());
            }
            if (error == null || error instanceof AioException e && e.errnoName().equals("ENOENT")) {
                listing(dir.file());
            } else {
                close(dir.file());
                fail(error);
            }
        });
    }

    /**
     * Lists the directory that was opened and checked, by its descriptor, so a directory swapped for
     * a symbolic link after the check cannot be listed in its place: streamed by a
     * {@link ListingStream}, which closes the directory. HEAD needs no listing at all.
     */
    private void listing(AioFile dir) {
        if (head) {
            close(dir);
            HttpResponse response = listingResponse();
            HttpUtil.setTransferEncodingChunked(response, false); // a HEAD response has no body to frame
            ctx.write(response);
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(this::written);
            return;
        }
        new ListingStream(this, ctx, aio.withPriority(AioContext.PRI_MIN), dir, site.probes(), target.displayPath(),
                target.segments().isEmpty()).start();
    }

    /**
     * For the listing: the head of its response, whose length is known only at its end: sent in
     * chunks, or to an HTTP/1.0 client, which knows no chunks, ended by closing the connection.
     * From here on the exchange has responded.
     */
    HttpResponse listingResponse() {
        HttpResponse response = new DefaultHttpResponse(HTTP_1_1, OK);
        HttpHeaders out = response.headers();
        out.set(CONTENT_TYPE, "text/html; charset=utf-8");
        out.set(CACHE_CONTROL, "no-cache");
        out.set(DATE, HttpDates.format(Instant.now()));
        if (request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
            keepAlive = false;
        } else {
            HttpUtil.setTransferEncodingChunked(response, true);
        }
        HttpUtil.setKeepAlive(out, request.protocolVersion(), keepAlive);
        responded = true;
        status = OK.code();
        return response;
    }

    /** For the listing: it could not be read, or the engine refused to (the server stopping); nothing was sent yet. */
    void listingFailed(Throwable error) {
        fail(error instanceof IllegalStateException ? STOPPING : error);
    }

    /** For the listing: its last chunk is written by {@code last}, after {@code bytes} bytes of HTML. */
    void listingSent(io.netty.channel.ChannelFuture last, long bytes) {
        bodyBytes = bytes;
        last.addListener(this::written);
    }

    /** For the listing: the client went away, or the server stopped, while it was sent. */
    void listingStopped() {
        abandon();
    }

    /** Closes a file or directory through the engine, whatever state the server is in. */
    void closeFile(AioFile file) {
        close(file);
    }

    /**
     * Opens a path under the root, checks that the file opened lies under it, and stats the
     * descriptor: in one trip with openat2, in three (open, realpath, fstat) without it.
     */
    private void openChecked(String relativePath, BiConsumer<Opened, Throwable> then) {
        if (site.openat2()) {
            openBeneath(relativePath, true, then);
        } else {
            openThenCheck(relativePath, then);
        }
    }

    /**
     * One trip: the kernel refuses any way out of the root as it resolves, and the stat of the new
     * descriptor comes with it. RESOLVE_BENEATH also refuses an absolute symbolic link that leads
     * back inside (EXDEV, as for one that leads out); on a first EXDEV the canonical path decides.
     */
    private void openBeneath(String relativePath, boolean firstTry, BiConsumer<Opened, Throwable> then) {
        openBeneath(relativePath, firstTry, 0, then);
    }

    /**
     * As above, on try {@code eagains + 1}: under RESOLVE_BENEATH a {@code ..} step fails with
     * EAGAIN when a rename anywhere on the machine races it. That is retried a few times, then the
     * canonical path (which has no {@code ..}) is opened instead; a path that cannot get through
     * even so is a 503, for the client to try again, never a 500.
     */
    private void openBeneath(String relativePath, boolean firstTry, int eagains, BiConsumer<Opened, Throwable> then) {
        String path = relativePath.isEmpty() ? "." : relativePath;
        if (site.probes().injectEagain()) {
            retryAfterEagain(relativePath, firstTry, eagains, then);
            return;
        }
        submit(() -> aio.openatStat(site.rootDir(), path, OPEN_FLAGS, 0, BENEATH, (opened, error) -> {
            if (error != null && error.errnoName().equals("EAGAIN")) {
                retryAfterEagain(relativePath, firstTry, eagains, then);
                return;
            }
            if (error != null && error.errnoName().equals("EXDEV")) {
                if (firstTry) {
                    openCanonical(relativePath, then);
                } else {
                    then.accept(null, leadsOut());
                }
                return;
            }
            if (error != null) {
                then.accept(null, error);
                return;
            }
            if (!ctx.channel().isActive()) {
                close(opened.file());
                then.accept(null, CLIENT_GONE); // so the caller closes what it holds, a directory
                return;
            }
            then.accept(new Opened(opened.file(), relativePath, opened.stat()), null);
        }), () -> then.accept(null, STOPPING));
    }

    private void retryAfterEagain(String relativePath, boolean firstTry, int eagains, BiConsumer<Opened, Throwable> then) {
        if (eagains < EAGAIN_RETRIES) {
            openBeneath(relativePath, firstTry, eagains + 1, then);
        } else if (firstTry) {
            openCanonical(relativePath, then);
        } else {
            then.accept(null, BUSY);
        }
    }

    /**
     * After EXDEV: resolves the path to its canonical form without opening anything, and opens that
     * beneath the root once more if it lies there. The kernel checks the second open too, so a link
     * swapped in meanwhile cannot lead out; it only turns into a 403.
     */
    private void openCanonical(String relativePath, BiConsumer<Opened, Throwable> then) {
        submit(() -> aio.realpath(site.resolve(relativePath), (real, error) -> {
            if (error != null) {
                failWhereItLeads(relativePath, error, then);
            } else if (!site.contains(real)) {
                then.accept(null, leadsOut());
            } else {
                openBeneath(site.relativize(real), false, then);
            }
        }), () -> then.accept(null, STOPPING));
    }

    /** Without openat2: opens the full path, then checks the descriptor's canonical path and stats the descriptor. */
    private void openThenCheck(String relativePath, BiConsumer<Opened, Throwable> then) {
        submit(() -> aio.open(site.resolve(relativePath), OPEN_FLAGS, 0, (file, openError) -> {
            if (openError != null) {
                failWhereItLeads(relativePath, openError, then);
                return;
            }
            if (!ctx.channel().isActive()) {
                close(file);
                then.accept(null, CLIENT_GONE);
                return;
            }
            submit(() -> aio.realpath("/proc/self/fd/" + file.fd(), (real, realError) -> {
                if (realError != null || !site.contains(real)) {
                    close(file);
                    then.accept(null, realError != null ? realError : leadsOut());
                    return;
                }
                submit(() -> aio.stat(file, (stat, statError) -> {
                    if (statError != null) {
                        close(file);
                        then.accept(null, statError);
                    } else {
                        then.accept(new Opened(file, site.relativize(real), stat), null);
                    }
                }), () -> {
                    close(file);
                    then.accept(null, STOPPING);
                });
            }), () -> {
                close(file);
                then.accept(null, STOPPING);
            });
        }), () -> then.accept(null, STOPPING));
    }

    /**
     * A path that may lead out of the root failed to resolve (it names nothing, or something that
     * may not be read): answers for where it leads, found from its deepest prefix that does
     * resolve. Out of the root that is the 403 an existing file there gets, so the answer never
     * tells whether a file outside exists; inside, it is {@code error} (a 404, say). The part
     * past that prefix holds no link and no {@code ..}, so it cannot lead anywhere else.
     */
    private void failWhereItLeads(String relativePath, Throwable error, BiConsumer<Opened, Throwable> then) {
        if (relativePath.isEmpty()) {
            then.accept(null, error); // the root itself
            return;
        }
        int slash = relativePath.lastIndexOf('/');
        String parent = slash < 0 ? "" : relativePath.substring(0, slash);
        submit(() -> aio.realpath(site.resolve(parent), (real, parentError) -> {
            if (parentError != null) {
                failWhereItLeads(parent, error, then);
            } else {
                then.accept(null, site.contains(real) ? error : leadsOut());
            }
        }), () -> then.accept(null, STOPPING));
    }

    /**
     * What an open hands its caller when the client went away meanwhile: the caller closes what it
     * still holds and the exchange ends without a response.
     */
    private static final HttpError CLIENT_GONE = new HttpError(HttpResponseStatus.valueOf(499, "Client Gone"),
            "The client went away.");
    /** An open that kept meeting renames, even by its canonical path: the client may try again. */
    private static final HttpError BUSY = new HttpError(HttpResponseStatus.SERVICE_UNAVAILABLE,
            "The file system is busy; try again.");
    /** What an open hands its caller when the engine refused it: the server is past its grace period. */
    private static final HttpError STOPPING = new HttpError(INTERNAL_SERVER_ERROR, "The server is stopping.");

    private static HttpError leadsOut() {
        return new HttpError(FORBIDDEN, "That path leads out of the served directory.");
    }

    // ---------------------------------------------------------------- files

    /**
     * A regular file was found: looks for its precompressed siblings in the codings the client
     * accepts ({@code name.br}, {@code name.gz}, in the order its weights give), opened beneath the
     * root like any file, and sends the first one there, else the file itself. A sibling that is
     * missing, unreadable, not a regular file or a link out of the root is no sibling.
     *
     * <p>A client that accepts no coding (most programs, and every load generator) costs no probe:
     * a file's response carries {@code Vary: Accept-Encoding} whether or not it has siblings, as
     * Caddy's {@code precompressed} does, rather than opening two siblings that are usually not
     * there to learn whether it may leave the header out. A cache keeps one copy per
     * {@code Accept-Encoding} where one would do; it never hands a client a coding it refused.
     */
    private void serveFile(Opened original, String name) {
        AcceptEncoding accepted = AcceptEncoding.parse(request.headers().getAll(ACCEPT_ENCODING));
        probeSiblings(original, name, accepted, accepted.probeOrder(), 0);
    }

    private void probeSiblings(Opened original, String name, AcceptEncoding accepted, List<AcceptEncoding.Coding> order,
                               int next) {
        if (next == order.size()) {
            sendIdentity(original, name, accepted);
            return;
        }
        AcceptEncoding.Coding coding = order.get(next);
        openChecked(original.relativePath() + coding.suffix, (sibling, error) -> {
            if (error != null && !noSuchSibling(error)) {
                close(original.file());
                fail(error);
            } else if (sibling == null || !sibling.stat().isRegularFile()) {
                if (sibling != null) {
                    close(sibling.file());
                }
                probeSiblings(original, name, accepted, order, next + 1);
            } else {
                close(original.file());
                sendFile(sibling, name, coding);
            }
        });
    }

    /** An open error that means only that the sibling is not there to be served. */
    private static boolean noSuchSibling(Throwable error) {
        if (error instanceof HttpError e) {
            return e.status().equals(FORBIDDEN); // a link out of the root
        }
        return error instanceof AioException e && switch (e.errnoName()) {
            case "ENOENT", "ENOTDIR", "ENAMETOOLONG", "EACCES", "EPERM", "ELOOP" -> true;
            default -> false;
        };
    }

    /** No acceptable sibling: the file itself, unless the client refused it too (406). */
    private void sendIdentity(Opened original, String name, AcceptEncoding accepted) {
        if (accepted.identity()) {
            sendFile(original, name, null);
            return;
        }
        close(original.file());
        FullHttpResponse response = page(NOT_ACCEPTABLE, "The file exists, but in no content coding this client accepts.");
        response.headers().set(VARY, VARIES_BY);
        send(response);
    }

    /**
     * Sends a file, or a sibling in {@code coding}, whose Content-Type is still that of
     * {@code name}; ranges and validators apply to the bytes sent, as in nginx.
     */
    private void sendFile(Opened opened, String name, AcceptEncoding.Coding coding) {
        AioFile file = opened.file();
        long length = opened.stat().size();
        Validators validators = coding == null ? Validators.of(opened.stat()) : Validators.of(opened.stat()).inCoding(coding.token);
        HttpHeaders in = request.headers();
        Instant now = Instant.now();
        if (validators.notModified(in.get(IF_NONE_MATCH), in.get(IF_MODIFIED_SINCE), now)) {
            close(file);
            FullHttpResponse response = new DefaultFullHttpResponse(HTTP_1_1, NOT_MODIFIED, Unpooled.EMPTY_BUFFER);
            validatorHeaders(response.headers(), validators, now);
            representationHeaders(response.headers(), null);
            send(response);
            return;
        }
        String type = ContentTypes.forName(name);
        RangeRequest ranges = head || !validators.rangeAllowed(in.get(IF_RANGE))
                ? RangeRequest.evaluate(null, length) : RangeRequest.evaluate(in.get(RANGE), length);
        if (ranges.kind() == RangeRequest.Kind.UNSATISFIABLE) {
            close(file);
            FullHttpResponse response = page(REQUESTED_RANGE_NOT_SATISFIABLE, "No requested range lies within the file.");
            response.headers().set(CONTENT_RANGE, "bytes */" + length);
            response.headers().set(VARY, VARIES_BY);
            send(response);
            return;
        }
        List<ByteRange> parts = ranges.kind() == RangeRequest.Kind.WHOLE
                ? (length == 0 ? List.of() : List.of(new ByteRange(0, length - 1)))
                : ranges.ranges();
        HttpResponseStatus code = ranges.kind() == RangeRequest.Kind.WHOLE ? OK : PARTIAL_CONTENT;
        // No body to send: one message, which HTTP/2 sends as a HEADERS frame that ends the stream.
        boolean bodiless = head || parts.isEmpty();
        HttpResponse response = bodiless ? new DefaultFullHttpResponse(HTTP_1_1, code, Unpooled.EMPTY_BUFFER)
                : new DefaultHttpResponse(HTTP_1_1, code);
        HttpHeaders out = response.headers();
        validatorHeaders(out, validators, now);
        representationHeaders(out, coding);
        out.set(ACCEPT_RANGES, "bytes");
        MultipartRanges multipart = null;
        if (parts.size() > 1) {
            multipart = new MultipartRanges(parts, type, length, MultipartRanges.newBoundary());
            out.set(CONTENT_TYPE, multipart.contentType());
            out.set(CONTENT_LENGTH, multipart.contentLength());
        } else {
            out.set(CONTENT_TYPE, type);
            out.set(CONTENT_LENGTH, parts.isEmpty() ? 0 : parts.get(0).length());
            if (ranges.kind() == RangeRequest.Kind.PARTIAL) {
                out.set(CONTENT_RANGE, parts.get(0).contentRange(length));
            }
        }
        if (bodiless) {
            close(file);
            send((FullHttpResponse) response);
            return;
        }
        if (multipart == null && parts.get(0).length() <= Pipelines.WHOLE_BODY_MAX_BYTES) {
            ByteRange part = parts.get(0);
            ChannelHandlerContext encoder = ctx.pipeline().context(HttpResponseEncoder.class);
            ByteBuf whole = wholeBuffer(encoder, response, (int) part.length());
            // No buffer, no direct memory: the regions take the body, failing as a region does if
            // memory stays short.
            if (whole != null) {
                if (part.length() <= Pipelines.READ_BODY_MAX_BYTES) {
                    readWhole(encoder, whole, file, response, part);
                    return;
                }
                if (sendWholeIfCached(encoder, whole, file, response, part)) {
                    return;
                }
            }
        }
        sendRegions(file, response, parts, multipart);
    }

    /** Sends the body as regions of the file, read through the engine or sendfiled, and closes the file after. */
    private void sendRegions(AioFile file, HttpResponse response, List<ByteRange> parts, MultipartRanges multipart) {
        HttpHeaders out = response.headers();
        HttpUtil.setKeepAlive(out, request.protocolVersion(), keepAlive);
        responded = true;
        status = response.status().code();
        ctx.write(response);
        bodyBytes = HttpUtil.getContentLength(response, 0L);
        FileLease lease = new FileLease(file, parts.size());
        for (int i = 0; i < parts.size(); i++) {
            ByteRange part = parts.get(i);
            if (multipart != null) {
                ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(multipart.partHeader(i))));
            }
            ctx.write(AioFileRegion.of(file, part.first(), part.length())).addListener(lease);
        }
        LastHttpContent last = multipart == null ? LastHttpContent.EMPTY_LAST_CONTENT
                : new DefaultLastHttpContent(Unpooled.wrappedBuffer(multipart.closing()));
        ctx.writeAndFlush(last).addListener(this::written);
    }

    /**
     * Reads a small body with a request of its own, straight into {@code whole}, the buffer it
     * leaves in with its head as one complete response ({@link #wholeBuffer}), then closes the file. The read is made
     * as this callback's pollCb ends, with the others its callbacks submit, in one
     * {@code io_uring_enter}, and the file's close with them: under load a pass of the loop answers
     * many small requests, and each then costs no read and no close system call of its own. A body
     * the page cache does not hold is read by a worker, as a region's would be.
     */
    private void readWhole(ChannelHandlerContext encoder, ByteBuf whole, AioFile file, HttpResponse response,
                           ByteRange part) {
        int length = (int) part.length();
        int bodyAt = whole.writerIndex();
        submit(() -> aio.read(file, part.first(), whole.nioBuffer(bodyAt, length), (n, error) -> {
            if (!ctx.channel().isActive()) {
                whole.release();
                close(file);
                abandon();
            } else if (error == null && n == length) {
                sendWhole(encoder, file, response, whole, length);
            } else {
                // Failed, or the file shrank since its stat: the regions meet it as they meet any
                // failed read, and end the connection, since the head they send promised more.
                whole.release();
                sendRegions(file, response, List.of(part), null);
            }
        }), () -> {
            whole.release();
            close(file);
        });
    }

    /**
     * Sends a small body with its head as one complete response in {@code whole}, if the page
     * cache holds all of it: read here, on the loop ({@code LinuxAio.readIfCached}), with no region, no chunk and no
     * trip through the engine, and closes the file. False, with nothing sent and the file still
     * open and {@code whole} released, if any of it is not cached: the region then takes it,
     * reading through the engine.
     */
    private boolean sendWholeIfCached(ChannelHandlerContext encoder, ByteBuf whole, AioFile file, HttpResponse response,
                                      ByteRange part) {
        int length = (int) part.length();
        int bodyAt = whole.writerIndex();
        boolean read = false;
        try {
            read = site.loops().engine().readIfCached(file, part.first(), whole.nioBuffer(bodyAt, length)) == length;
        } finally {
            if (!read) {
                whole.release();
            }
        }
        if (!read) {
            return false;
        }
        sendWhole(encoder, file, response, whole, length);
        return true;
    }

    /**
     * The buffer a whole body of {@code length} bytes leaves in: over HTTP/1.1 (an {@code encoder}
     * in the pipeline) its head's bytes with room behind them ({@link ResponseHead}), written past
     * the encoder, which has nothing to add; in an HTTP/2 stream (no encoder) the body alone, which
     * the frame codec takes as a full response. Null if no direct memory is left for it.
     */
    private ByteBuf wholeBuffer(ChannelHandlerContext encoder, HttpResponse response, int length) {
        HttpUtil.setKeepAlive(response.headers(), request.protocolVersion(), keepAlive);
        try {
            return encoder != null ? ResponseHead.withRoomFor(ctx.alloc(), response, length)
                    : ctx.alloc().directBuffer(length, length);
        } catch (OutOfMemoryError noDirectMemory) {
            return null;
        }
    }

    /**
     * Closes the file and sends {@code whole} (from {@link #wholeBuffer}), whose {@code length} bytes
     * of body have been read in behind its writer index.
     */
    private void sendWhole(ChannelHandlerContext encoder, AioFile file, HttpResponse response, ByteBuf whole, int length) {
        whole.writerIndex(whole.writerIndex() + length);
        close(file);
        if (encoder == null) {
            send(new DefaultFullHttpResponse(HTTP_1_1, response.status(), whole, response.headers(),
                    EmptyHttpHeaders.INSTANCE));
            return;
        }
        responded = true;
        status = response.status().code();
        bodyBytes = length;
        encoder.writeAndFlush(whole).addListener(this::written);
    }

    /**
     * The headers of a file's response (200, 206, 304) that describe which representation it is
     * and how long it may be kept: never on a listing or an error.
     */
    private void representationHeaders(HttpHeaders headers, AcceptEncoding.Coding coding) {
        if (coding != null) {
            headers.set(CONTENT_ENCODING, coding.token);
        }
        headers.set(VARY, VARIES_BY);
        if (site.cacheControl() != null) {
            headers.set(CACHE_CONTROL, site.cacheControl());
        }
    }

    /** Closes the file once every region read from it is done; a failed region ends the connection. */
    private final class FileLease implements ChannelFutureListener {
        private final AioFile file;
        private int regions;

        FileLease(AioFile file, int regions) {
            this.file = file;
            this.regions = regions;
        }

        @Override
        public void operationComplete(io.netty.channel.ChannelFuture future) {
            if (!future.isSuccess()) {
                // The body is cut short; only closing tells the client its Content-Length lied.
                ctx.close();
            }
            if (--regions == 0) {
                close(file);
            }
        }
    }

    private static void validatorHeaders(HttpHeaders headers, Validators validators, Instant now) {
        headers.set(DATE, HttpDates.format(now));
        headers.set(LAST_MODIFIED, HttpDates.format(validators.lastModified()));
        headers.set(ETAG, validators.etag());
    }

    // ---------------------------------------------------------------- responses

    private void fail(Throwable error) {
        if (error == CLIENT_GONE) {
            abandon();
        } else if (error == STOPPING) {
            keepAlive = false;
            sendError(INTERNAL_SERVER_ERROR, STOPPING.getMessage());
        } else if (error instanceof HttpError e) {
            sendError(e.status(), e.getMessage());
        } else if (error instanceof AioException e) {
            switch (e.errnoName()) {
                case "ENOENT", "ENOTDIR", "ENAMETOOLONG" -> sendError(NOT_FOUND, "There is no such file.");
                case "EACCES", "EPERM", "ELOOP" -> sendError(FORBIDDEN, "That file may not be read.");
                // Out of descriptors or memory: a passing state the client may retry, not a fault.
                case "EMFILE", "ENFILE", "ENOMEM" -> sendError(HttpResponseStatus.SERVICE_UNAVAILABLE,
                        "The server is busy; try again.");
                default -> sendError(INTERNAL_SERVER_ERROR, "The file could not be read.");
            }
        } else {
            keepAlive = false;
            sendError(INTERNAL_SERVER_ERROR, "The server failed to answer.");
        }
    }

    private void sendError(HttpResponseStatus errorStatus, String reason) {
        FullHttpResponse response = page(errorStatus, reason);
        if (errorStatus.equals(HttpResponseStatus.SERVICE_UNAVAILABLE)) {
            response.headers().set(RETRY_AFTER, "1"); // a passing state: a race, descriptors running out
        }
        send(response);
    }

    private FullHttpResponse page(HttpResponseStatus pageStatus, String reason) {
        return full(pageStatus, "text/html; charset=utf-8", ErrorPage.html(pageStatus, reason).getBytes(StandardCharsets.UTF_8));
    }

    /** A complete response; for HEAD the same headers with no body. */
    private FullHttpResponse full(HttpResponseStatus responseStatus, String type, byte[] body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HTTP_1_1, responseStatus,
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        response.headers().set(CONTENT_TYPE, type);
        response.headers().set(CONTENT_LENGTH, body.length);
        response.headers().set(DATE, HttpDates.format(Instant.now()));
        return response;
    }

    private void send(FullHttpResponse response) {
        if (responded) {
            response.release();
            return;
        }
        responded = true;
        HttpUtil.setKeepAlive(response.headers(), request.protocolVersion(), keepAlive);
        status = response.status().code();
        bodyBytes = response.content().readableBytes();
        ctx.writeAndFlush(response).addListener(this::written);
    }

    private void written(io.netty.util.concurrent.Future<? super Void> future) {
        if (!finished) {
            finished = true;
            owner.exchangeDone(this, future.isSuccess());
        }
    }

    /** The connection went away while a file system call ran: nothing left to answer. */
    private void abandon() {
        if (!finished) {
            finished = true;
            owner.exchangeDone(this, false);
        }
    }

    // ---------------------------------------------------------------- engine

    /** Submits a request; a context already closed (the server stopping) ends the exchange. */
    private void submit(Runnable call) {
        submit(call, () -> {});
    }

    private void submit(Runnable call, Runnable onRefused) {
        try {
            call.run();
        } catch (IllegalStateException closed) {
            keepAlive = false;
            onRefused.run();
            sendError(INTERNAL_SERVER_ERROR, STOPPING.getMessage());
        }
    }

    private void close(AioFile file) {
        try {
            aio.close(file, null);
        } catch (IllegalStateException contextClosed) {
            // The server is stopping and this loop's context is gone; the engine may still take it.
            try {
                site.loops().engine().close(file, null);
            } catch (IllegalStateException engineClosed) {
                // Only at the very end of a stop, after every descriptor the engine knew was done with.
            }
        }
    }
}
