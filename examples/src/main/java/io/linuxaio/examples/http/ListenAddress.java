package io.linuxaio.examples.http;

import io.netty.bootstrap.AbstractBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.util.NetUtil;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * Where a listener binds, with errors that say what went wrong in the operator's terms: the host
 * that could not be resolved, or the {@code address:port} that could not be bound (Netty alone says
 * {@code UnresolvedAddressException}, or {@code bind(..) failed: Address already in use} without
 * naming either).
 */
final class ListenAddress {
    private ListenAddress() {}

    /**
     * The address for {@code host} (a literal or a name) and {@code port}; a name is resolved here,
     * on the calling thread, which may wait for DNS: call it before any event loop is involved.
     */
    static InetSocketAddress resolve(String host, int port) throws IOException {
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new IOException("cannot resolve the address to listen on, " + host + reason(e, host), e);
        }
    }

    /** Binds and waits; a failure names the address and port. */
    static Channel bind(AbstractBootstrap<?, ?> bootstrap, InetSocketAddress address) throws IOException, InterruptedException {
        ChannelFuture bound = bootstrap.bind(address).await();
        if (!bound.isSuccess()) {
            Throwable cause = bound.cause();
            throw new IOException("cannot listen on " + NetUtil.toSocketAddressString(address) + reason(cause, null), cause);
        }
        return bound.channel();
    }

    /**
     * The cause's own words, without what they repeat: the JDK's resolver puts the host first
     * ({@code 999.1.1.1: Name or service not known}), Netty's bind the call it made
     * ({@code bind(..) failed with error(-98): Address already in use}).
     */
    private static String reason(Throwable cause, String host) {
        String message = cause.getMessage();
        if (message == null || message.isBlank()) {
            return " (" + cause.getClass().getSimpleName() + ")";
        }
        if (host != null && message.startsWith(host + ": ")) {
            message = message.substring(host.length() + 2);
        }
        int call = message.indexOf("failed");
        if (message.startsWith("bind(") && message.indexOf(": ", call) > 0) {
            message = message.substring(message.indexOf(": ", call) + 2);
        }
        return ": " + message;
    }
}
