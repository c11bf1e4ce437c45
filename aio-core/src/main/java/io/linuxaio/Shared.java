package io.linuxaio;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** What every completion context of one engine shares: its workers, its open contexts and its policies. */
final class Shared {
    final WorkerPool pool;
    final CallbackFailures failures = new CallbackFailures();
    /** Contexts made by newContext and not yet closed (the engine's default context is not one). */
    final Set<AioContext> contexts = ConcurrentHashMap.newKeySet();

    Shared(WorkerPool pool) {
        this.pool = pool;
    }
}
