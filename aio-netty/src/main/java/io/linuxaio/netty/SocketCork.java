package io.linuxaio.netty;

import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.epoll.EpollSocketChannel;

/**
 * Holds back a socket's partly filled segments (TCP_CORK) while a response's head and its first
 * sendfile leave, as nginx's {@code tcp_nopush} does, so the head travels in the first full segment
 * of file bytes instead of in a segment of its own.
 *
 * <p>Why: with the head alone ahead of the file, a paced connection (BBR, or the fq qdisc) sends
 * a 1 MiB response in twice as many paced bursts, each waiting on a pacing timer; corked, ours
 * needed as many as nginx's (7 a response against 14, {@code benchmarks/RESULTS.md}).
 *
 * <p>A cork that cannot be set (another kind of channel, or a refused setsockopt) is skipped: the
 * bytes are the same, only their segments differ. Used on the channel's event loop only.
 */
final class SocketCork {
    private final Channel channel;
    private boolean corked;

    SocketCork(Channel channel) {
        this.channel = channel;
    }

    /** Corks the socket, if it is an epoll TCP socket and not corked by this already. */
    void cork() {
        if (!corked && channel instanceof EpollSocketChannel socket) {
            try {
                socket.config().setTcpCork(true);
                corked = true;
            } catch (ChannelException refused) {
                // Not corked: the head leaves in a segment of its own, as it would without this.
            }
        }
    }

    /** Uncorks the socket if this corked it, which sends what the cork held at once. */
    void uncork() {
        if (corked) {
            corked = false;
            if (channel.isOpen()) {
                try {
                    ((EpollSocketChannel) channel).config().setTcpCork(false);
                } catch (ChannelException closing) {
                    // The socket is going away: nothing is left to send.
                }
            }
        }
    }
}
