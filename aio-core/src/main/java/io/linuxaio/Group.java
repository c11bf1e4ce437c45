package io.linuxaio;

import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The engine's side of an {@link AioGroup}, libeio's {@code grp}: a request that never goes to a
 * worker. It is queued for pollCb as it is made; pollCb finishes it when it first takes it with no
 * member outstanding, or else when the last member is done ({@link #memberDone}), right after that
 * member's callback.
 *
 * <p>It holds only its outstanding members (to cancel them), so a fed group costs memory for its
 * {@code limit}, not for the members it has had.
 */
final class Group<T> extends Request<T> implements AioGroup<T> {
    private final ReentrantLock lock = new ReentrantLock();
    /** Members added and not yet done. */
    private final Set<Request<?>> members = new LinkedHashSet<>(); // guarded by lock
    private Supplier<? extends AioRequest<?>> generator; // guarded by lock
    private int limit; // guarded by lock
    /** pollCb has taken the group: from now on it finishes as soon as it has no member. */
    private boolean taken; // guarded by lock
    private boolean finished; // guarded by lock
    /** The generator is running: a limit it sets must not call it again from inside itself. */
    private boolean feeding; // guarded by lock
    /** A composite's last word, cancelled or not: it closes what its steps left open. */
    private Runnable finisher;

    Group(Completions completions, int level, AioCallback<? super T> callback) {
        super(completions, level, "group", null, null, null, callback);
        markRuns(); // it never waits for a worker: a cancel marks it and cancels its members
    }

    /** Before the group is handed out: runs on the polling thread as the group finishes, before its callback, cancelled or not. */
    void whenFinished(Runnable finisher) {
        this.finisher = finisher;
    }

    @Override
    public <M extends AioRequest<?>> M add(M member) {
        Objects.requireNonNull(member, "member");
        if (!(member instanceof Request<?> request)) {
            throw new IllegalArgumentException("a member must be a request of the group's context: " + member);
        }
        lock.lock();
        try {
            addLocked(request);
        } finally {
            lock.unlock();
        }
        if (isCancelled()) {
            request.cancel();
        }
        return member;
    }

    private void addLocked(Request<?> request) {
        if (request.completions != completions) {
            throw new IllegalArgumentException("a member must be a request of the group's context: " + request);
        }
        for (Group<?> g = this; g != null; g = g.group()) {
            if (g == request) {
                throw new IllegalArgumentException("a group cannot be a member of itself: " + request);
            }
        }
        if (finished) {
            throw new IllegalStateException("the group has finished: " + this);
        }
        if (!request.join(this)) {
            throw new IllegalStateException((request.retired() ? "already delivered: " : "already in a group: ") + request);
        }
        members.add(request);
    }

    @Override
    public void feed(Supplier<? extends AioRequest<?>> generator) {
        lock.lock();
        try {
            if (finished) {
                throw new IllegalStateException("the group has finished: " + this);
            }
            this.generator = generator;
            if (generator != null && limit == 0) {
                limit = 2;
            }
            feedLocked();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void limit(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("negative limit: " + n);
        }
        lock.lock();
        try {
            limit = n;
            feedLocked();
        } finally {
            lock.unlock();
        }
    }

    /** Calls the generator while it is wanted: fewer members outstanding than the limit. */
    private void feedLocked() {
        while (generator != null && !feeding && members.size() < limit && !isCancelled()) {
            AioRequest<?> next;
            feeding = true;
            try {
                next = generator.get();
                if (next == null) {
                    generator = null;
                    return;
                }
                if (!(next instanceof Request<?> request)) {
                    throw new IllegalArgumentException("a member must be a request of the group's context: " + next);
                }
                addLocked(request);
            } catch (RuntimeException | Error e) {
                generator = null;
                AioException failed = new AioException("feed", e instanceof RejectedExecutionException ? Errno.EAGAIN
                        : Errno.EIO, null, "the generator threw " + e);
                failed.initCause(e);
                error = failed;
                return;
            } finally {
                feeding = false;
            }
        }
    }

    @Override
    public void result(T value) {
        lock.lock();
        try {
            checkNotFinished();
            result = value;
            error = null;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void fail(AioException failure) {
        Objects.requireNonNull(failure, "error");
        lock.lock();
        try {
            checkNotFinished();
            error = failure;
        } finally {
            lock.unlock();
        }
    }

    private void checkNotFinished() {
        if (finished) {
            throw new IllegalStateException("the group has finished: " + this);
        }
    }

    @Override
    public void cancelMembers() {
        Request<?>[] outstanding;
        lock.lock();
        try {
            generator = null;
            outstanding = members.toArray(new Request<?>[0]);
        } finally {
            lock.unlock();
        }
        // Outside the lock: a member group takes its own, and a cancel never finishes a member here
        // (pollCb passes it by later), so the set is not changed under this loop by it.
        for (Request<?> member : outstanding) {
            member.cancel();
        }
    }

    @Override
    public boolean cancel() {
        if (!super.cancel()) {
            return false;
        }
        cancelMembers();
        return true;
    }

    @Override
    public int size() {
        lock.lock();
        try {
            return members.size();
        } finally {
            lock.unlock();
        }
    }

    /** pollCb took the group from the result queue: it finishes now if no member is outstanding. */
    @Override
    int deliver() {
        lock.lock();
        try {
            taken = true;
            if (finished || !members.isEmpty()) {
                return 0;
            }
            finished = true;
        } finally {
            lock.unlock();
        }
        return finish();
    }

    /** In pollCb, right after a member's callback: feeds the group, and finishes it if that was its last member. */
    int memberDone(Request<?> member) {
        lock.lock();
        try {
            members.remove(member);
            feedLocked();
            if (!taken || finished || !members.isEmpty()) {
                return 0;
            }
            finished = true;
        } finally {
            lock.unlock();
        }
        return finish();
    }

    /** Runs the finisher, then delivers the group as any request: counted out, callback unless cancelled, then its own group told. */
    private int finish() {
        if (finisher != null) {
            try {
                finisher.run();
            } catch (Throwable t) {
                completions.callbackThrew(this, t);
            }
        }
        return super.deliver();
    }

    /** A group's result is the caller's own value: nothing of the engine's to close. */
    @Override
    void dropOutcome() {
        // Nothing: the members dropped their own.
    }

    @Override
    public String toString() {
        return "group@" + Integer.toHexString(System.identityHashCode(this));
    }
}
