package io.linuxaio;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What every completion context of one engine shares: its workers, its open contexts, where
 * callbacks' exceptions go, and what is tried on the submitting thread first.
 */
final class Shared {
    final WorkerPool pool;
    final CallbackFailures failures = new CallbackFailures();
    final Inline inline = new Inline();
    /** Contexts made by newContext and not yet closed (the engine's default context is not one). */
    final Set<AioContext> contexts = ConcurrentHashMap.newKeySet();

    Shared(WorkerPool pool) {
        this.pool = pool;
    }
}
