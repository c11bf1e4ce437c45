package io.linuxaio.examples.http;

import io.linuxaio.AioContext;
import io.linuxaio.netty.AioEventLoops;
import io.netty.channel.Channel;

/**
 * What every connection shares: the canonical root, the engine contexts of the event loops, the
 * access log and the limits. Immutable; safe to use from every loop.
 *
 * @param root the root made canonical at start (no symbolic links, no trailing slash)
 * @param accessLog where access lines go, or null when quiet
 */
record Site(String root, AioEventLoops loops, AccessLog accessLog) {

    /** The engine context whose callbacks run on this channel's event loop. */
    AioContext context(Channel channel) {
        return loops.forChannel(channel);
    }

    /** The file system path for a request's relative path. */
    String resolve(String relativePath) {
        if (relativePath.isEmpty()) {
            return root;
        }
        return root.endsWith("/") ? root + relativePath : root + "/" + relativePath;
    }

    /** Whether a canonical path is the root or lies under it. */
    boolean contains(String canonicalPath) {
        if (canonicalPath.equals(root)) {
            return true;
        }
        // The root "/" is the one canonical path that already ends with a slash.
        String prefix = root.endsWith("/") ? root : root + "/";
        return canonicalPath.startsWith(prefix);
    }
}
