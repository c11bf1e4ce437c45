package io.linuxaio;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Read-only shared mappings of the files {@link Inline#sendCached} has checked lately, kept so that
 * a check is one mincore(2) rather than mmap, mincore and munmap: one engine's, shared by every
 * thread that sends.
 *
 * <p>Measured on the benchmark machine (two cores) with two threads of one process checking 1 MiB
 * of a cached file: 32 µs a check with a mapping made and unmade each time, 11.6 µs on a mapping
 * kept; a single thread, 10 and 6 µs. mmap and munmap take the process's mmap lock for writing, so
 * two event loops checking at once wait for each other, and for every page fault of the JVM. A
 * 1 MiB response is one check, beside 350-550 µs of the server's CPU for the rest of it.
 *
 * <p>A mapping reads nothing and pins no page: it holds the file open, as a descriptor would, until
 * it is unmapped. It is unmapped once it has not been used for {@value #IDLE_SECONDS} s (a thread
 * of its own looks every second while any is kept), when it is too short for a range asked about
 * (a longer one replaces it), when {@value #MOST_KEPT} others are kept, and when the engine closes.
 * So the space of a file deleted after it was sent comes back within about two seconds.
 *
 * <p>Mappings are keyed by {@link FileIdentity}, so only files on a file system whose inodes are its
 * files are kept ({@link FileSystemKind#LOCAL_NO_FLUSH}); on overlayfs, for one, a file copied up
 * keeps its inode number and changes the pages it reads, and its ranges are mapped for each check.
 * Thread-safe: a mapping in use is unmapped only when its last user lets go of it.
 */
final class MincoreMappings {
    static final int IDLE_SECONDS = 1;
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(IDLE_SECONDS);
    /** Mappings kept at most: address space and a file each, for a server's hot files. */
    static final int MOST_KEPT = 64;
    /** Mappings are made in multiples of this, so a file sent chunk by chunk is mapped a few times, not at each. */
    private static final long GRAIN = 2L << 20;
    /** The furthest a kept mapping reaches into a file; a range past it is mapped for its check alone. */
    static final long MOST_MAPPED = 64L << 30;

    private final ConcurrentHashMap<FileIdentity, Mapping> kept = new ConcurrentHashMap<>();
    private volatile boolean closed;
    private Thread reaper; // started with the first mapping kept; guarded by this

    /** Whether a range of {@code file} ending at {@code end} may be checked on a kept mapping. */
    static boolean keeps(AioFile file, long end) {
        return file.fileSystem == FileSystemKind.LOCAL_NO_FLUSH && end <= MOST_MAPPED;
    }

    /**
     * A mapping of {@code file} from its start to at least {@code end}, held for the caller until
     * {@link Mapping#release()}: a kept one, or a new one (kept, if there is room).
     *
     * @param now {@link System#nanoTime()}, the time of use
     * @throws LastErrorException if mmap fails
     */
    Mapping acquire(AioFile file, FileIdentity identity, long end, long now) {
        Mapping mapping = kept.get(identity);
        if (mapping != null) {
            if (mapping.length >= end && mapping.tryAcquire()) {
                mapping.lastUsed = now;
                return mapping;
            }
            if (mapping.length < end && kept.remove(identity, mapping)) {
                mapping.retire(); // too short: a longer one replaces it
            }
        }
        long length = roundUp(end);
        if (mapping != null && mapping.length < end) {
            length = Math.min(Math.max(length, 2 * mapping.length), MOST_MAPPED); // a file sent further each time
        }
        long address = Posix.Quiet.mmap(0, length, Posix.PROT_READ, Posix.MAP_SHARED, file.fd(), 0);
        if (address == -1) {
            throw new LastErrorException(Native.getLastError());
        }
        Mapping made = new Mapping(address, length, now);
        if (closed || !makeRoom(now) || kept.putIfAbsent(identity, made) != null) {
            made.retire(); // used for this check only: unmapped when the caller lets go
        } else if (closed && kept.remove(identity, made)) {
            made.retire(); // the engine closed meanwhile, and its close may have swept before this was kept
        } else {
            startReaper();
        }
        return made;
    }

    /** Whether there is room for one more, after unmapping the idle ones if there is not. */
    private boolean makeRoom(long now) {
        if (kept.size() < MOST_KEPT) {
            return true;
        }
        sweep(now);
        return kept.size() < MOST_KEPT;
    }

    /** Unmaps every mapping unused since {@code now} less {@value #IDLE_SECONDS} s (those in use, when let go). */
    void sweep(long now) {
        kept.forEach((identity, mapping) -> {
            if (now - mapping.lastUsed > IDLE_NANOS && kept.remove(identity, mapping)) {
                mapping.retire();
            }
        });
    }

    /** How many are kept; for tests. */
    int size() {
        return kept.size();
    }

    /** Whether its reaper thread runs; for tests. */
    synchronized boolean reaperAlive() {
        return reaper != null && reaper.isAlive();
    }

    /** Unmaps them all (those in use, when let go), keeps none from now on, and stops the reaper. */
    void close() {
        closed = true;
        Thread stopping;
        synchronized (this) {
            stopping = reaper;
        }
        kept.forEach((identity, mapping) -> {
            if (kept.remove(identity, mapping)) {
                mapping.retire();
            }
        });
        if (stopping != null) {
            LockSupport.unpark(stopping);
            try {
                stopping.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private synchronized void startReaper() {
        if (reaper == null && !closed) {
            reaper = new Thread(this::reap, "aio-mapping-reaper");
            reaper.setDaemon(true);
            reaper.start();
        } else if (reaper != null) {
            LockSupport.unpark(reaper); // it may be parked with nothing kept
        }
    }

    /** The reaper: every second while any mapping is kept, unmaps the idle ones; parked while none is. */
    private void reap() {
        while (!closed) {
            if (kept.isEmpty()) {
                LockSupport.park(this);
            } else {
                LockSupport.parkNanos(this, TimeUnit.SECONDS.toNanos(1));
            }
            sweep(System.nanoTime());
        }
    }

    private static long roundUp(long end) {
        return Math.min((end + GRAIN - 1) / GRAIN * GRAIN, MOST_MAPPED);
    }

    /**
     * One mapping and who uses it: unmapped once retired and let go by its last user, so a check
     * never reads the page flags of an address that meanwhile maps something else.
     */
    static final class Mapping {
        private static final int RETIRED = 1 << 30;

        final long address;
        final long length;
        volatile long lastUsed;
        /** Users holding it, plus RETIRED once it may be used no more. */
        private final AtomicInteger users = new AtomicInteger(1); // its maker's use

        private Mapping(long address, long length, long now) {
            this.address = address;
            this.length = length;
            this.lastUsed = now;
        }

        private boolean tryAcquire() {
            for (;;) {
                int state = users.get();
                if ((state & RETIRED) != 0) {
                    return false;
                }
                if (users.compareAndSet(state, state + 1)) {
                    return true;
                }
            }
        }

        /** The caller is done with it. */
        void release() {
            if (users.decrementAndGet() == RETIRED) {
                unmap();
            }
        }

        /** No new user may take it; unmapped now if no one uses it, else by its last user. */
        private void retire() {
            int before = users.getAndUpdate(state -> state | RETIRED);
            if (before == 0) {
                unmap();
            }
        }

        private void unmap() {
            Posix.Quiet.munmap(address, length);
        }
    }
}
