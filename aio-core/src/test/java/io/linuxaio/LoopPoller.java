package io.linuxaio;

import java.util.concurrent.ExecutorService;

/** Test helper: a single-thread executor standing in for an event loop that polls contexts. */
final class LoopPoller implements AioPoller {
    private final ExecutorService loop;
    private final Thread loopThread;

    /** A poller on {@code loop}, whose one thread is {@code loopThread}. */
    LoopPoller(ExecutorService loop, Thread loopThread) {
        this.loop = loop;
        this.loopThread = loopThread;
    }

    @Override
    public void execute(Runnable task) {
        loop.execute(task);
    }

    @Override
    public boolean inPoller() {
        return Thread.currentThread() == loopThread;
    }

    @Override
    public void closing(AioContext closing) {}
}
