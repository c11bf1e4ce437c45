package io.linuxaio.examples.http;

import io.linuxaio.AioContext;
import io.linuxaio.AioFile;
import io.linuxaio.DirEntry;
import io.linuxaio.Stat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;

/**
 * One directory listing, sent as it is made, so a directory of any size costs every other client
 * nothing and this one little memory.
 *
 * <p>The entries are read in one {@code readdirx} of the open directory, which tells links,
 * directories and files apart without a stat. Then each entry's {@code lstat} (for its size and
 * date) runs on the engine at the lowest priority, so every other client's opens and reads go
 * first, and at most {@value #STATS_IN_FLIGHT} at a time. Rows are written in the listing's order
 * as their stats come back, in chunks; while the socket will take no more, no stat is issued. When
 * the client goes, no further stat is issued, and the directory is closed once those in flight are
 * back (they name entries through its descriptor).
 *
 * <p>A listing never shows the size or date of what a link leads to: a symbolic link is not
 * stat'ed at all, and every other entry is stat'ed with {@code lstat} through the directory's own
 * descriptor ({@code /proc/self/fd/N/name}), which follows no link.
 *
 * <p>Runs on the connection's event loop, as does its {@link Exchange}, but for the sort of a
 * large directory's entries, which would stall the loop's other connections.
 */
final class ListingStream {
    /** Stats one listing may have queued or running on the engine at once. */
    static final int STATS_IN_FLIGHT = 16;
    /** HTML characters gathered before they are written as one chunk. */
    static final int CHUNK_CHARS = 16 * 1024;
    /** The most entries sorted on the event loop itself: a millisecond's work. */
    static final int SORT_HERE = 2048;

    /** In {@link #window}: an entry shown without a size or date (a link, or a failed stat). */
    private static final Object NO_STAT = new Object();

    /** {@link DirectoryListing#ORDER}'s order: directories first, then names in {@link NaturalOrder}. */
    private static final Comparator<DirEntry> ORDER =
            Comparator.comparing((DirEntry e) -> !e.isDirectory()).thenComparing(DirEntry::name, NaturalOrder.INSTANCE);

    private final Exchange exchange;
    private final ChannelHandlerContext ctx;
    private final AioContext low;
    private final AioFile dir;
    private final String self;
    private final Probes probes;
    private final String displayPath;
    private final boolean atRoot;
    /** The stat results of entries {@code emitted..next-1}, at index {@code i % STATS_IN_FLIGHT}; null while pending. */
    private final Object[] window = new Object[STATS_IN_FLIGHT];
    private final StringBuilder pending = new StringBuilder(CHUNK_CHARS + 512);
    private List<DirEntry> entries;
    private int next;
    private int emitted;
    private int inFlight;
    private long bodyBytes;
    private boolean waitingForSocket;
    private boolean stopped;
    private boolean ended;

    /**
     * @param low the connection's engine context at its lowest priority
     * @param dir the directory, opened and checked; this closes it
     */
    ListingStream(Exchange exchange, ChannelHandlerContext ctx, AioContext low, AioFile dir, Probes probes,
                  String displayPath, boolean atRoot) {
        this.exchange = exchange;
        this.ctx = ctx;
        this.low = low;
        this.dir = dir;
        this.self = "/proc/self/fd/" + dir.fd();
        this.probes = probes;
        this.displayPath = displayPath;
        this.atRoot = atRoot;
    }

    void start() {
        try {
            low.readdirx(dir, 0, (list, error) -> {
                if (error != null) {
                    exchange.closeFile(dir);
                    exchange.listingFailed(error);
                } else if (!ctx.channel().isActive()) {
                    exchange.closeFile(dir);
                    exchange.listingStopped();
                } else if (list.size() <= SORT_HERE) {
                    begin(sorted(list));
                } else {
                    sortElsewhere(list);
                }
            });
        } catch (IllegalStateException closed) {
            exchange.closeFile(dir);
            exchange.listingFailed(closed);
        }
    }

    /**
     * Sorts a large directory's entries off the event loop: 100,000 names take a tenth of a second
     * to sort, several times that before the JIT has compiled the comparison, and every other
     * connection of the loop would wait that long. Then back to the loop.
     */
    private void sortElsewhere(List<DirEntry> list) {
        ForkJoinPool.commonPool().execute(() -> {
            List<DirEntry> inOrder = sorted(list);
            try {
                ctx.executor().execute(() -> {
                    if (ctx.channel().isActive()) {
                        begin(inOrder);
                    } else {
                        exchange.closeFile(dir);
                        exchange.listingStopped();
                    }
                });
            } catch (RejectedExecutionException loopGone) {
                exchange.closeFile(dir); // the engine takes a close from any thread; the connection is gone with its loop
            }
        });
    }

    private static List<DirEntry> sorted(List<DirEntry> list) {
        return list.stream().sorted(ORDER).toList();
    }

    /** On the loop, with the entries in the listing's order: sends the head, then the rows as their stats come. */
    private void begin(List<DirEntry> inOrder) {
        entries = inOrder;
        ctx.write(exchange.listingResponse());
        pending.append(DirectoryListing.head(displayPath, atRoot));
        pump();
    }

    /** Renders what is ready, writes full chunks, issues stats while the socket takes more; ends when all is sent. */
    private void pump() {
        while (!ended) {
            if (!stopped && !ctx.channel().isActive()) {
                stopped = true;
            }
            if (stopped) {
                if (inFlight == 0) {
                    ended = true;
                    exchange.closeFile(dir);
                    exchange.listingStopped();
                }
                return;
            }
            while (emitted < next && window[emitted % STATS_IN_FLIGHT] != null) {
                render(entries.get(emitted), window[emitted % STATS_IN_FLIGHT]);
                window[emitted % STATS_IN_FLIGHT] = null;
                emitted++;
            }
            if (emitted == entries.size()) {
                finish();
                return;
            }
            if (waitingForSocket) {
                return; // the write's listener pumps again
            }
            if (pending.length() >= CHUNK_CHARS) {
                flush();
                if (waitingForSocket) {
                    return;
                }
            }
            issue();
            if (emitted == next || window[emitted % STATS_IN_FLIGHT] == null) {
                return; // the stats in flight call back
            }
            // A link was next: it needs no stat and can be shown at once.
        }
    }

    /** Issues stats for the entries after the last one issued, while the window has room. */
    private void issue() {
        while (next < entries.size() && next - emitted < STATS_IN_FLIGHT) {
            DirEntry entry = entries.get(next);
            int slot = next % STATS_IN_FLIGHT;
            next++;
            if (entry.type() == DirEntry.Type.SYMBOLIC_LINK) {
                window[slot] = NO_STAT; // its own size and date say nothing; its target's may be out of the root
                continue;
            }
            inFlight++;
            probes.listingStats.increment();
            try {
                low.lstat(self + "/" + entry.name(), (stat, error) -> {
                    inFlight--;
                    window[slot] = stat != null ? stat : NO_STAT;
                    pump();
                });
            } catch (IllegalStateException closed) { // the server is past its grace period
                inFlight--;
                stopped = true;
                return;
            }
        }
    }

    private void render(DirEntry entry, Object result) {
        DirectoryListing.Entry row;
        if (result instanceof Stat stat) {
            row = new DirectoryListing.Entry(entry.name(), stat.isDirectory(), stat.size(), stat.mtime());
        } else {
            row = new DirectoryListing.Entry(entry.name(), entry.isDirectory(), null, null);
        }
        DirectoryListing.row(pending, row);
    }

    /** Writes what is gathered as one chunk; if the socket then takes no more, waits for it. */
    private void flush() {
        ChannelFuture written = ctx.writeAndFlush(new DefaultHttpContent(take()));
        if (!ctx.channel().isWritable()) {
            waitingForSocket = true;
            written.addListener(f -> {
                waitingForSocket = false;
                if (!f.isSuccess()) {
                    stopped = true;
                }
                pump();
            });
        }
    }

    private void finish() {
        ended = true;
        exchange.closeFile(dir);
        pending.append(DirectoryListing.tail());
        ByteBuf last = take();
        exchange.listingSent(ctx.writeAndFlush(new DefaultLastHttpContent(last)), bodyBytes);
    }

    private ByteBuf take() {
        ByteBuf bytes = ByteBufUtil.writeUtf8(ctx.alloc(), pending);
        pending.setLength(0);
        bodyBytes += bytes.readableBytes();
        return bytes;
    }
}
