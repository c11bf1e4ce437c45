package io.linuxaio.examples.http;

import io.linuxaio.AioContext;
import io.linuxaio.AioFile;
import io.linuxaio.netty.AioEventLoops;
import io.netty.channel.Channel;

/**
 * What every connection shares: the canonical root and its open descriptor, the engine contexts of
 * the event loops, the access log and the limits. Immutable; safe to use from every loop.
 *
 * @param root the root made canonical at start (no symbolic links, no trailing slash)
 * @param rootDir the root held open ({@code O_PATH | O_DIRECTORY}) for the life of the server, so
 *                paths can be opened beneath it
 * @param openat2 whether the kernel checks containment while it opens ({@code openat2} with
 *                {@code RESOLVE_BENEATH} relative to {@code rootDir}); false where openat2 is
 *                missing, and each opened file's canonical path is checked instead
 * @param accessLog where access lines go, or null when quiet
 * @param probes counters and fault switches for tests
 * @param counters what the server has answered, for its metrics and status line
 * @param cacheControl the {@code Cache-Control} value for files, or null for none
 */
record Site(String root, AioFile rootDir, boolean openat2, AioEventLoops loops, AccessLog accessLog, Probes probes,
            ServerCounters counters, String cacheControl) {

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

    /** The path under the root of a canonical path it {@link #contains}: empty for the root itself. */
    String relativize(String canonicalPath) {
        if (canonicalPath.equals(root)) {
            return "";
        }
        return canonicalPath.substring(root.endsWith("/") ? root.length() : root.length() + 1);
    }
}
