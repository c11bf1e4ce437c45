package io.linuxaio.netty;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An allocator that is out of direct memory for chosen sizes: the next direct buffers asked of a
 * given size fail with the {@link OutOfMemoryError} that the JDK and Netty's pooled allocator throw
 * when direct memory runs out. Every other buffer is allocated as usual (unpooled, leak-tracked).
 */
final class FailingAllocator extends AbstractByteBufAllocator {
    private final ConcurrentHashMap<Integer, AtomicInteger> failures = new ConcurrentHashMap<>();
    private final AtomicInteger failed = new AtomicInteger();

    FailingAllocator() {
        super(true);
    }

    /** The next {@code times} direct buffers of exactly {@code size} bytes fail. */
    FailingAllocator failDirect(int size, int times) {
        failures.computeIfAbsent(size, s -> new AtomicInteger()).addAndGet(times);
        return this;
    }

    /** How many allocations failed so far. */
    int failed() {
        return failed.get();
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        AtomicInteger left = failures.get(initialCapacity);
        if (left != null && left.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            failed.incrementAndGet();
            throw new OutOfMemoryError("Direct buffer memory (test)");
        }
        return new UnpooledDirectByteBuf(this, initialCapacity, maxCapacity);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        return new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }
}
