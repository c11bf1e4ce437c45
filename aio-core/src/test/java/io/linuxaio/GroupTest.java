package io.linuxaio;

import static io.linuxaio.Polling.await;
import static io.linuxaio.Polling.failure;
import static io.linuxaio.Polling.until;
import static org.junit.jupiter.api.Assertions.*;

import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Groups, IO::AIO's {@code aio_group}: completion after every member, feeding with a limit, cancelling as one. */
class GroupTest {
    @TempDir Path dir;
    private final LinuxAio aio = new LinuxAio();

    @AfterEach
    void closeEngine() {
        aio.close();
    }

    @Test
    void aGroupCompletesOnceEveryMemberHasAndItsCallbackRunsLast() throws Exception {
        List<String> order = new ArrayList<>();
        AioGroup<String> group = aio.group((result, error) -> order.add("group " + result));
        group.add(aio.nop((v, e) -> order.add("nop")));
        group.add(aio.stat(dir.toString(), (s, e) -> order.add("stat")));
        group.add(aio.busy(java.time.Duration.ofMillis(20), (v, e) -> order.add("busy")));
        group.result("done");
        assertEquals(3, group.size());
        assertEquals("done", await(aio, group));
        assertEquals(4, order.size(), order.toString());
        assertEquals("group done", order.get(3));
        assertEquals(0, group.size());
        until(aio, () -> aio.nreqs() == 0);
    }

    @Test
    void anEmptyGroupFinishesInTheNextPollCb() {
        AtomicInteger ran = new AtomicInteger();
        AioGroup<Void> group = aio.group((v, e) -> ran.incrementAndGet());
        assertEquals(1, aio.nreqs(), "a group counts as a request");
        assertEquals(1, aio.pollCb());
        assertEquals(1, ran.get());
        assertTrue(group.isDone());
        assertEquals(0, aio.nreqs());
    }

    @Test
    void membersAddedFromAMembersCallbackKeepTheGroupOpen() throws Exception {
        List<String> order = new ArrayList<>();
        AioGroup<Void> group = aio.group((v, e) -> order.add("group"));
        group.add(aio.nop((v, e) -> {
            order.add("first");
            group.add(aio.nop((v2, e2) -> order.add("second")));
        }));
        await(aio, group);
        assertEquals(List.of("first", "second", "group"), order);
    }

    @Test
    void aNestedGroupFinishesBeforeTheGroupHoldingIt() throws Exception {
        List<String> order = new ArrayList<>();
        AioGroup<Void> outer = aio.group((v, e) -> order.add("outer"));
        AioGroup<Void> inner = outer.add(aio.group((v, e) -> order.add("inner")));
        inner.add(aio.nop((v, e) -> order.add("member")));
        await(aio, outer);
        assertEquals(List.of("member", "inner", "outer"), order);
    }

    @Test
    void aGroupFailsWithTheErrorItIsGiven() {
        AioGroup<Void> group = aio.group(null);
        group.add(aio.stat(dir.resolve("missing").toString(), (s, e) -> group.fail(e)));
        AioException error = failure(aio, group);
        assertEquals("ENOENT", error.errnoName());
    }

    @Test
    void cancellingAGroupCancelsEveryMemberAndNoCallbackRuns() throws Exception {
        aio.maxParallel(1);
        AtomicInteger ran = new AtomicInteger();
        AioGroup<Void> group = aio.group((v, e) -> ran.incrementAndGet());
        List<AioRequest<?>> members = new ArrayList<>();
        try (BlockedWorkers blocked = BlockedWorkers.occupy(aio, dir, 1)) {
            for (int i = 0; i < 3; i++) {
                members.add(group.add(aio.nop((v, e) -> ran.incrementAndGet())));
            }
            AioGroup<Void> inner = group.add(aio.group((v, e) -> ran.incrementAndGet()));
            members.add(inner);
            members.add(inner.add(aio.nop((v, e) -> ran.incrementAndGet())));
            assertTrue(group.cancel());
            assertTrue(group.future().isCancelled());
            for (AioRequest<?> member : members) {
                assertTrue(member.isCancelled(), member.toString());
            }
            AioRequest<Void> late = group.add(aio.nop((v, e) -> ran.incrementAndGet()));
            assertTrue(late.isCancelled(), "a member added to a cancelled group is cancelled");
            assertEquals(0, aio.nready(), "nothing of the group is left for a worker");
            until(aio, () -> aio.nreqs() == 1); // the blocked open alone
        }
        until(aio, () -> aio.nreqs() == 0);
        assertEquals(0, ran.get());
    }

    @Test
    void cancelMembersLetsTheGroupFinishAsUsual() throws Exception {
        aio.maxParallel(1);
        AtomicInteger memberCallbacks = new AtomicInteger();
        AioGroup<String> group = aio.group(null);
        try (BlockedWorkers blocked = BlockedWorkers.occupy(aio, dir, 1)) {
            group.add(aio.nop((v, e) -> memberCallbacks.incrementAndGet()));
            group.add(aio.nop((v, e) -> memberCallbacks.incrementAndGet()));
            group.result("early");
            group.cancelMembers();
            assertEquals("early", await(aio, group));
            assertFalse(group.isCancelled());
        }
        assertEquals(0, memberCallbacks.get());
    }

    /**
     * IO::AIO's feed and limit: a hundred thousand members, generated as earlier ones finish, never
     * more than four at once, and none kept once done: the first thousand are collected by the
     * garbage collector while the group is half-way.
     */
    @Test
    void aFedGroupOfAHundredThousandMembersRunsFourAtATimeAndHoldsNoneItIsDoneWith() throws Exception {
        int total = 100_000;
        int limit = 4;
        AtomicInteger fed = new AtomicInteger();
        AtomicInteger outstanding = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        AtomicInteger peakSize = new AtomicInteger();
        List<WeakReference<AioRequest<Void>>> early = new ArrayList<>();
        boolean[] earlyCollectedHalfWay = {false};
        AioGroup<Integer> group = aio.group(null);
        group.limit(limit);
        group.feed(() -> {
            int n = fed.get();
            if (n == total) {
                group.result(n);
                return null;
            }
            if (n == total / 2) {
                earlyCollectedHalfWay[0] = collected(early);
            }
            fed.incrementAndGet();
            peak.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
            peakSize.accumulateAndGet(group.size(), Math::max);
            AioRequest<Void> member = aio.nop((v, e) -> outstanding.decrementAndGet());
            if (n < 1000) {
                early.add(new WeakReference<>(member));
            }
            return member;
        });
        assertEquals(total, await(aio, group));
        assertEquals(total, fed.get());
        assertTrue(peak.get() <= limit, "at most " + limit + " members at once, not " + peak.get());
        assertTrue(peakSize.get() < limit, "the generator runs only below the limit: " + peakSize.get());
        assertEquals(0, outstanding.get());
        assertTrue(earlyCollectedHalfWay[0], "members done with are not held");
        until(aio, () -> aio.nreqs() == 0);
    }

    private static boolean collected(List<WeakReference<AioRequest<Void>>> refs) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            System.gc();
            if (refs.stream().allMatch(r -> r.get() == null)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void aGeneratorRefusedByMaxOutstandingFailsTheGroupWithEagain() {
        aio.maxOutstanding(3);
        AioGroup<Void> group = aio.group(null); // one outstanding
        group.limit(4);
        AtomicInteger made = new AtomicInteger();
        group.feed(() -> {
            made.incrementAndGet();
            return aio.nop(null);
        });
        assertEquals(3, made.get(), "two accepted, the third refused");
        AioException error = failure(aio, group);
        assertEquals("EAGAIN", error.errnoName());
        assertInstanceOf(java.util.concurrent.RejectedExecutionException.class, error.getCause());
        until(aio, () -> aio.nreqs() == 0);
    }

    @Test
    void aGeneratorThatThrowsFailsTheGroupWithEio() {
        AioGroup<Void> group = aio.group(null);
        group.feed(() -> {
            throw new IllegalStateException("no more ideas");
        });
        AioException error = failure(aio, group);
        assertEquals("EIO", error.errnoName());
        assertEquals("no more ideas", error.getCause().getMessage());
    }

    @Test
    void refusedAddsThrowAndLeaveNoTrace() throws Exception {
        AioContext other = aio.newContext();
        try {
            AioGroup<Void> group = aio.group(null);
            AioGroup<Void> inner = group.add(aio.group(null));
            AioRequest<Void> foreign = other.nop(null);
            AioRequest<Void> member = group.add(aio.nop(null));
            int before = aio.nreqs();
            assertThrows(IllegalArgumentException.class, () -> group.add(foreign), "another context's request");
            assertThrows(IllegalStateException.class, () -> inner.add(member), "a member of another group");
            assertThrows(IllegalArgumentException.class, () -> group.add(group), "itself");
            assertThrows(IllegalArgumentException.class, () -> inner.add(group), "a group holding it");
            assertThrows(IllegalArgumentException.class, () -> group.limit(-1));
            assertEquals(2, group.size());
            assertEquals(0, inner.size());
            assertEquals(before, aio.nreqs());
            await(aio, group);
            AioRequest<Void> late = aio.nop(null);
            assertThrows(IllegalStateException.class, () -> group.add(late), "a finished group");
            assertThrows(IllegalStateException.class, () -> aio.group(null).add(member), "a delivered request");
            until(other, () -> other.nreqs() == 0);
        } finally {
            other.close();
        }
    }
}
