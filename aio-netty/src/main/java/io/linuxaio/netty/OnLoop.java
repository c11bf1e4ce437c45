package io.linuxaio.netty;

import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Brings an engine callback to the loop that owns the handler state it touches. Callbacks arrive
 * on that loop already (its {@link AioEventLoops} context is polled there); they arrive elsewhere
 * only while contexts are being closed from another thread, when a loop may be gone for good.
 */
final class OnLoop {
    private OnLoop() {}

    /**
     * Runs {@code task} now if on {@code loop}, else hands it to {@code loop}; if the loop takes no
     * more tasks, runs {@code ifGone} here instead (to release what the task would have used).
     *
     * @return true if the callback had to be moved (it did not arrive on {@code loop})
     */
    static boolean run(EventExecutor loop, Runnable task, Runnable ifGone) {
        if (loop.inEventLoop()) {
            task.run();
            return false;
        }
        try {
            loop.execute(task);
        } catch (RejectedExecutionException gone) {
            ifGone.run();
        }
        return true;
    }
}
