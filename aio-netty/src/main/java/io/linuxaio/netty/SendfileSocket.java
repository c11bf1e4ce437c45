package io.linuxaio.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.epoll.EpollSocketChannelConfig;

/**
 * The two socket options a region sent with sendfile sets for the time it is sent, and gives back.
 *
 * <p><b>Cork</b> (TCP_CORK), from just before the region's first send until that send returns, as
 * nginx's {@code tcp_nopush}: the response's head then leaves in the first full segment of file
 * bytes instead of in a segment of its own. On the benchmark machine, whose TCP is BBR (paced), a
 * 1 MiB response with its head alone needed twice the pacing timers of nginx's; corked, as many.
 *
 * <p><b>A limit on unsent bytes</b> (TCP_NOTSENT_LOWAT, {@value #UNSENT_LIMIT} bytes) from the
 * region's second send until its last: each send then stops once that much waits in the socket
 * unsent, and the next is made when the peer has taken most of it, instead of each send filling the
 * socket's whole buffer (several MiB once autotuned). A response the first send takes whole (up to
 * 2 MiB) never meets it. Measured on the benchmark machine at 10 MiB: 1.3-1.5 times the requests/s
 * (with the queue long, nine in ten segments were sent as the peer's acknowledgements came in,
 * a third of them short of a full segment; with the limit, seven in ten left in the server's own
 * sends, five in six full); at 1 MiB a limit from the first send cost 10-20 % of the requests/s,
 * hence only from the second. A tighter limit the channel's owner set is left as it is, and a
 * looser one is put back when the region ends; a socket its owner corked stays corked.
 *
 * <p>An option that cannot be set (another kind of channel, a refused setsockopt) is skipped: the
 * bytes sent are the same, only how they are cut into segments differs. Used on the channel's event
 * loop only.
 */
final class SendfileSocket {
    /** The most unsent bytes a socket holds while a region's later sends go out. */
    static final int UNSENT_LIMIT = 256 * 1024;

    private final Channel channel;
    /** The socket's options, or null if it is not an epoll TCP socket: then nothing is set. */
    private final EpollSocketChannelConfig config;
    private boolean corked;
    private boolean limited;
    /** The owner's TCP_NOTSENT_LOWAT, put back when the region ends (0: the system's default). */
    private long ownersLimit;

    SendfileSocket(Channel channel) {
        this.channel = channel;
        this.config = channel instanceof EpollSocketChannel socket ? socket.config() : null;
    }

    /** Corks the socket, unless it is corked already (by this, or by its owner, who pulls it). */
    void cork() {
        if (corked || config == null) {
            return;
        }
        try {
            if (!config.isTcpCork()) {
                config.setTcpCork(true);
                corked = true;
            }
        } catch (ChannelException refused) {
            // Not corked: the head leaves in a segment of its own, as it would without this.
        }
    }

    /** Uncorks the socket if this corked it, which sends what the cork held at once. */
    void uncork() {
        if (corked) {
            corked = false;
            giveBack(() -> config.setTcpCork(false));
        }
    }

    /** Limits the socket's unsent bytes to {@link #UNSENT_LIMIT}, unless its owner's limit is tighter. */
    void limitUnsent() {
        if (limited || config == null) {
            return;
        }
        try {
            long owners = config.getTcpNotSentLowAt();
            if (owners == 0 || owners > UNSENT_LIMIT) {
                config.setTcpNotSentLowAt(UNSENT_LIMIT);
                ownersLimit = owners;
                limited = true;
            }
        } catch (ChannelException refused) {
            // Unlimited: the sends fill the socket's buffer, as they would without this.
        }
    }

    /** Puts the owner's limit on unsent bytes back, if this changed it. */
    void restoreUnsentLimit() {
        if (limited) {
            limited = false;
            giveBack(() -> config.setTcpNotSentLowAt(ownersLimit));
        }
    }

    /** Sets an option back as the owner had it, unless the socket has closed: then no later response meets it. */
    private void giveBack(Runnable set) {
        if (channel.isOpen()) {
            try {
                set.run();
            } catch (ChannelException closing) {
                // Closed between the check and the call.
            }
        }
    }
}
