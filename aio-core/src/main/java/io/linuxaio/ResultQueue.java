package io.linuxaio;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The finished requests of one context, oldest first. Any number of workers add; one thread at a
 * time takes (pollCb, under its lock); any thread may ask whether it is empty.
 *
 * <p>Requests are linked through their own {@code next} field, so adding allocates nothing and
 * costs one atomic exchange however many workers add at once, where a {@code
 * ConcurrentLinkedQueue} allocates a node and retries its CAS under contention. It is Dmitry
 * Vyukov's multi-producer single-consumer queue: a producer swaps itself in as the tail and then
 * links the old tail to itself. Between those two steps the queue looks empty to the consumer; the
 * producer looks for a sleeping poller only after linking, so nothing is lost.
 *
 * <p>The last request taken stays as the queue's head until the next is taken, and is unlinked
 * then. Its result is kept alive that long; a request is small and delivered by then, so that is
 * all it costs.
 */
final class ResultQueue {
    private static final VarHandle TAIL;

    static {
        try {
            TAIL = MethodHandles.lookup().findVarHandle(ResultQueue.class, "tail", Request.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The last request taken (at first a stub): the oldest waiting one is its {@code next}. */
    private volatile Request<?> head;
    /** The newest request added; swapped by producers. */
    @SuppressWarnings("unused") // through TAIL
    private volatile Request<?> tail;

    ResultQueue() {
        Request<?> stub = Request.stub();
        head = stub;
        tail = stub;
    }

    /** On a worker: adds a finished request. A request is added once in its life. */
    void add(Request<?> request) {
        Request<?> previous = (Request<?>) TAIL.getAndSet(this, request);
        previous.next = request;
    }

    /** On the one consuming thread: the oldest request, or null if none is (fully) added. */
    Request<?> poll() {
        Request<?> taken = head;
        Request<?> next = taken.next;
        if (next != null) {
            head = next;
            // A caller may keep its request for good; linked on, it would keep every later
            // request of this context alive. Nobody else writes this field any more: only the
            // producer that swapped in the request after it does, and it has done so.
            taken.next = null;
        }
        return next;
    }

    boolean isEmpty() {
        return head.next == null;
    }

    /** Counts by walking the queue, so it is for tests and diagnostics. */
    int size() {
        int n = 0;
        for (Request<?> r = head.next; r != null; r = r.next) {
            n++;
        }
        return n;
    }
}
