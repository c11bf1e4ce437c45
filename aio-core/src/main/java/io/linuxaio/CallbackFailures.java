package io.linuxaio;

import java.util.function.BiConsumer;

/** Where an engine's callbacks' exceptions go: see {@link LinuxAio#callbackExceptionHandler}. */
final class CallbackFailures {
    private volatile BiConsumer<? super AioRequest<?>, ? super Throwable> handler;

    void handler(BiConsumer<? super AioRequest<?>, ? super Throwable> handler) {
        this.handler = handler;
    }

    /** On the polling thread, inside pollCb: the callback of {@code request} threw {@code thrown}. */
    void threw(AioRequest<?> request, Throwable thrown) {
        BiConsumer<? super AioRequest<?>, ? super Throwable> h = handler;
        if (h != null) {
            try {
                h.accept(request, thrown);
                return;
            } catch (Throwable inHandler) {
                thrown.addSuppressed(inHandler);
            }
        }
        Thread self = Thread.currentThread();
        self.getUncaughtExceptionHandler().uncaughtException(self, thrown);
    }
}
