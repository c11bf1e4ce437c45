package io.linuxaio.netty;

import io.linuxaio.AioFile;
import io.linuxaio.LinuxAio;
import io.netty.channel.FileRegion;
import io.netty.util.AbstractReferenceCounted;
import java.io.IOException;
import java.nio.channels.WritableByteChannel;

/**
 * One try at sending the rest of a region straight from the page cache: a {@link FileRegion} whose
 * {@link #transferTo} makes a single {@link LinuxAio#sendfileIfCached} call to the channel's socket
 * when the epoll transport reaches it. The page-cache check and the send are thus one call apart,
 * however long the chunk waited in the outbound buffer.
 *
 * <p>It ends after that one call, having sent what the socket took: its count shrinks to that, so
 * the transport removes it at once and its write promise succeeds. Whoever wrote it then reads
 * {@link #transferred()} and {@link #notCached()} and decides what comes next: another try, or
 * reads through the engine's workers for the rest. A try that sent nothing (a full socket, or a
 * range not all cached) returns 0, so the transport waits for the socket to be writable before it
 * removes the chunk: the next try then finds room.
 *
 * <p>It holds nothing: the file stays its writer's, open until the write's promise completes.
 * Used on the channel's event loop only.
 */
final class CachedFileChunk extends AbstractReferenceCounted implements FileRegion {
    private final LinuxAio engine;
    private final AioFile file;
    private final int socketFd;
    private final long position;
    private long count;
    private long transferred;
    private boolean tried;
    private boolean notCached;

    CachedFileChunk(LinuxAio engine, AioFile file, int socketFd, long position, long count) {
        this.engine = engine;
        this.file = file;
        this.socketFd = socketFd;
        this.position = position;
        this.count = count;
    }

    @Override
    public long transferTo(WritableByteChannel target, long position) throws IOException {
        if (tried) {
            return 0; // ended: the transport removes it, as its count is what it sent
        }
        tried = true;
        // The socket the transport would write to through target, written to directly: the
        // transport calls this only when every message before it has been written.
        long sent = engine.sendfileIfCached(file, this.position, count, socketFd);
        if (sent < 0) {
            notCached = true;
            sent = 0;
        }
        transferred = sent;
        count = sent;
        return sent;
    }

    /** Ends it untried, if it has not been tried: its writer has ended, and its file may be closed. */
    void cancel() {
        if (!tried) {
            tried = true;
            count = 0;
        }
    }

    /** Whether the one try found part of the range missing from the page cache, and sent nothing. */
    boolean notCached() {
        return notCached;
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public long transferred() {
        return transferred;
    }

    @Deprecated
    @Override
    public long transfered() {
        return transferred;
    }

    @Override
    public long count() {
        return count;
    }

    @Override
    protected void deallocate() {
        // Nothing of its own: the file is its writer's.
    }

    @Override
    public CachedFileChunk retain() {
        super.retain();
        return this;
    }

    @Override
    public CachedFileChunk retain(int increment) {
        super.retain(increment);
        return this;
    }

    @Override
    public CachedFileChunk touch() {
        return this;
    }

    @Override
    public CachedFileChunk touch(Object hint) {
        return this;
    }

    @Override
    public String toString() {
        return "CachedFileChunk(" + file + ", " + position + ", " + count + (tried ? ", sent " + transferred : "") + ")";
    }
}
