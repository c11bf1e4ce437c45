package io.linuxaio;

/**
 * One worker thread's loop: takes requests from the pool, runs their blocking system calls with
 * its own native {@link Scratch} memory, hands each result to the context it was made for.
 */
final class Worker implements Runnable {
    private final WorkerPool pool;
    private final Scratch scratch = new Scratch();
    /** Set before the thread starts. */
    Thread thread;
    /** The request this worker runs now; null while it has none. Read by the pool's stall monitor. */
    volatile Request<?> current;
    /** Set by the thread that took this worker off the idle stack to hand it work. */
    volatile boolean woken;
    /** Set by this worker when it first comes to take a request; its own. */
    boolean started;
    /** This thread's kernel thread id, for the stall monitor; 0 until it has started. */
    volatile int tid;

    Worker(WorkerPool pool) {
        this.pool = pool;
    }

    @Override
    public void run() {
        tid = StallMonitor.currentThreadId();
        try {
            Request<?> request;
            while ((request = pool.take(this)) != null) {
                request.run(scratch);
                request.completions.add(request);
                request.releaseFiles();
            }
        } finally {
            scratch.close();
        }
    }
}
