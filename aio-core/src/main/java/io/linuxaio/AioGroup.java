package io.linuxaio;

import java.util.function.Supplier;

/**
 * A request made of other requests, IO::AIO's {@code aio_group}: it completes once every member
 * has, its callback running after theirs, and it can be cancelled as one. Made by
 * {@link AioContext#group(AioCallback)}; the composite requests ({@link AioContext#copy copy},
 * {@link AioContext#move move}, {@link AioContext#rmtree rmtree}, {@link AioContext#scandir
 * scandir}) are groups.
 *
 * <pre>{@code
 * AioGroup<Void> all = aio.group((v, err) -> System.out.println("every stat done"));
 * for (String path : paths) {
 *     all.add(aio.stat(path, (st, err) -> ...));
 * }
 * }</pre>
 *
 * <p>A group goes to its context's result queue as it is made, so it finishes in a {@code pollCb}
 * after its last member, or in the first {@code pollCb} after it was made if it has none by then:
 * add members before you next poll, or from a member's callback (as IO::AIO has it). Once the
 * group's callback has run, nothing more can be added.
 *
 * <p>Members are requests of the same context (or of its {@linkplain AioContext#withPriority
 * priority views}), or groups of it; a request belongs to one group at most. A member counts as
 * done when {@code pollCb} delivers it, or passes it by if it was cancelled.
 *
 * <p>Feeding: {@link #feed} sets a generator that the group calls whenever fewer than
 * {@link #limit} of its members are outstanding, to have the next one; so a group can run a
 * hundred thousand requests four at a time while holding only those four. The generator runs on
 * the thread that called {@code feed} or {@code limit}, and then inside {@code pollCb} as members
 * finish.
 *
 * <p>Threads: any thread may use a group; its methods take the group's own lock, under which the
 * generator also runs (so it must not wait for anything). Its callback runs inside {@code pollCb},
 * as every callback does.
 *
 * @param <T> the result type, set with {@link #result}
 */
public interface AioGroup<T> extends AioRequest<T> {
    /**
     * Adds a member and returns it, as IO::AIO's {@code add $grp}: {@code group.add(aio.stat(...))}.
     * A member added to a cancelled group is cancelled.
     *
     * @throws IllegalArgumentException if {@code member} is not a request of this group's context,
     *     or is this group or one that contains it
     * @throws IllegalStateException if {@code member} is in a group already or has been delivered,
     *     or this group has finished
     */
    <M extends AioRequest<?>> M add(M member);

    /**
     * Sets the generator of members, IO::AIO's {@code feed}: called whenever fewer than
     * {@link #limit(int) limit} members are outstanding, it returns the next member, submitted and
     * not added (the group adds it), or null when there are no more, which removes it. A limit of
     * 0 becomes 2, as in IO::AIO. It is first called here, on this thread. If it throws, it is
     * removed and the group fails: {@code EAGAIN} if the member was refused by
     * {@link AioContext#maxOutstanding(int) maxOutstanding}, {@code EIO} otherwise, with what it
     * threw as the cause. Null removes the generator.
     */
    void feed(Supplier<? extends AioRequest<?>> generator);

    /**
     * How many members may be outstanding before the generator waits, IO::AIO's {@code limit}; 0
     * pauses it. As in IO::AIO, a group whose members are all done finishes even if paused.
     */
    void limit(int n);

    /** The result the group's callback gets, IO::AIO's {@code $grp->result}; replaces an earlier {@link #fail}. */
    void result(T value);

    /** Makes the group fail with {@code error}, IO::AIO's {@code $grp->errno}; replaces an earlier {@link #result}. */
    void fail(AioException error);

    /**
     * Cancels every outstanding member and removes the generator, but not the group, IO::AIO's
     * {@code cancel_subs}: the group finishes as usual once the cancelled members are passed by.
     */
    void cancelMembers();

    /** Members added and not yet done. */
    int size();
}
