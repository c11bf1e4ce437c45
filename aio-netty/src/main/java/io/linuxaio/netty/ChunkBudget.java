package io.linuxaio.netty;

/**
 * The chunk buffers that one {@link AioFileHandler}'s transfers may hold at once, counting both
 * chunks being read and chunks written down the pipeline that the socket has not taken yet; and
 * what they have read. Used on the channel's loop only; the counts are volatile so that tests and
 * monitoring may read them from any thread.
 */
final class ChunkBudget {
    private final int limit;
    private volatile int held;
    private volatile int peak;
    private volatile long bytesRead;

    /** @param limit how many chunks may be held at once, at least 1 */
    ChunkBudget(int limit) {
        this.limit = limit;
    }

    /** Takes one chunk if fewer than the limit are held; false, and nothing taken, if not. */
    boolean take() {
        if (held >= limit) {
            return false;
        }
        int now = held + 1;
        held = now;
        if (now > peak) {
            peak = now;
        }
        return true;
    }

    /** A chunk taken earlier was released, or the socket took it. */
    void giveBack() {
        held--;
    }

    /** {@code n} more bytes were read into chunks. */
    void read(int n) {
        bytesRead += n;
    }

    int held() {
        return held;
    }

    int peak() {
        return peak;
    }

    long bytesRead() {
        return bytesRead;
    }
}
