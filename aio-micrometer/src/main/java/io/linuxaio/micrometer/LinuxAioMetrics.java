package io.linuxaio.micrometer;

import io.linuxaio.AioContext;
import io.linuxaio.InlineStats;
import io.linuxaio.LinuxAio;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToLongFunction;

/**
 * Binds a {@link LinuxAio} engine's state to a Micrometer registry, for watching a server built on
 * it. Meters, with their Prometheus names:
 *
 * <table>
 * <caption>Meters</caption>
 * <tr><th>Micrometer</th><th>Prometheus</th><th>what</th></tr>
 * <tr><td>{@code linuxaio.requests.outstanding} gauge, tag {@code context}</td>
 *     <td>{@code linuxaio_requests_outstanding}</td>
 *     <td>requests submitted to a context and not yet delivered ({@link AioContext#nreqs()})</td></tr>
 * <tr><td>{@code linuxaio.requests.pending} gauge, tag {@code context}</td>
 *     <td>{@code linuxaio_requests_pending}</td>
 *     <td>finished requests whose callbacks wait for the context's {@code pollCb()}
 *     ({@link AioContext#npending()})</td></tr>
 * <tr><td>{@code linuxaio.requests.ready} gauge</td><td>{@code linuxaio_requests_ready}</td>
 *     <td>requests queued that no worker has taken yet, over all contexts ({@link LinuxAio#nready()})</td></tr>
 * <tr><td>{@code linuxaio.workers} gauge</td><td>{@code linuxaio_workers}</td>
 *     <td>worker threads alive ({@link LinuxAio#nthreads()})</td></tr>
 * <tr><td>{@code linuxaio.inline.completed} counter, tag {@code operation} = {@code read},
 *     {@code open}, {@code stat}, {@code close}, {@code sendfile}</td><td>{@code linuxaio_inline_completed_total}</td>
 *     <td>requests completed on the submitting thread, without a worker</td></tr>
 * <tr><td>{@code linuxaio.inline.to.pool} counter, tag {@code operation} = {@code read}, {@code open},
 *     {@code sendfile}</td><td>{@code linuxaio_inline_to_pool_total}</td>
 *     <td>requests tried there that would have waited for the disk and went to a worker (for
 *     sendfile: ranges mincore found not all cached, read through the workers instead)</td></tr>
 * <tr><td>{@code linuxaio.inline.batched} counter, tag {@code operation} = {@code read}, {@code open}</td>
 *     <td>{@code linuxaio_inline_batched_total}</td>
 *     <td>of those completed on the submitting thread, the ones made together in one
 *     {@code io_uring_enter} ({@link io.linuxaio.InlineStats#readsBatched()},
 *     {@link io.linuxaio.InlineStats#opensBatched()})</td></tr>
 * <tr><td>{@code linuxaio.inline.refused} counter</td><td>{@code linuxaio_inline_refused_total}</td>
 *     <td>calls the kernel refused the no-wait flags for (that path is then switched off)</td></tr>
 * <tr><td>{@code linuxaio.inline.slow} counter</td><td>{@code linuxaio_inline_slow_total}</td>
 *     <td>calls tried on the submitting thread that took over a millisecond</td></tr>
 * </table>
 *
 * <p>The counters are {@link LinuxAio#inlineStats()}: a rising share of {@code to.pool} is the disk
 * being needed; {@code refused} and {@code slow} should stay 0, and the first thing to alert on is
 * either of them moving. The engine's default context is reported as {@code context="default"};
 * a program that opens further contexts (the Netty binding opens one per event loop) names each
 * with {@link #context(String, AioContext)}.
 *
 * <pre>{@code
 * new LinuxAioMetrics(aio).context("loop-0", loops.forLoop(loop0)).bindTo(registry);
 * }</pre>
 *
 * <p>Every meter reads the engine's own counters when the registry asks (a scrape), on the
 * registry's thread: nothing is added to the engine's work, and every read is lock-free. The
 * gauges hold the engine and contexts weakly, as Micrometer's do. Configure it on one thread, then
 * bind it; {@link #bindTo(MeterRegistry)} may be called for several registries.
 */
public final class LinuxAioMetrics implements MeterBinder {
    private final LinuxAio engine;
    private final Tags tags;
    private final Map<String, AioContext> contexts = new LinkedHashMap<>();

    /** Metrics of {@code engine}, its default context included. */
    public LinuxAioMetrics(LinuxAio engine) {
        this(engine, Tags.empty());
    }

    /** Metrics of {@code engine} with {@code tags} on every meter (to tell several engines apart). */
    public LinuxAioMetrics(LinuxAio engine, Iterable<Tag> tags) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
        contexts.put("default", engine);
    }

    /**
     * Also reports {@code context}'s outstanding and pending requests, tagged {@code context=name}.
     *
     * @throws IllegalArgumentException if the name is taken ({@code default} is the engine's own)
     */
    public LinuxAioMetrics context(String name, AioContext context) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(context, "context");
        if (contexts.containsKey(name)) {
            throw new IllegalArgumentException("a context is already named " + name);
        }
        contexts.put(name, context);
        return this;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (Map.Entry<String, AioContext> named : contexts.entrySet()) {
            Tags tagged = tags.and("context", named.getKey());
            Gauge.builder("linuxaio.requests.outstanding", named.getValue(), AioContext::nreqs)
                    .description("requests submitted to the context and not yet delivered")
                    .tags(tagged)
                    .register(registry);
            Gauge.builder("linuxaio.requests.pending", named.getValue(), AioContext::npending)
                    .description("finished requests whose callbacks wait for the context's pollCb")
                    .tags(tagged)
                    .register(registry);
        }
        Gauge.builder("linuxaio.requests.ready", engine, LinuxAio::nready)
                .description("requests queued that no worker has taken yet")
                .tags(tags)
                .register(registry);
        Gauge.builder("linuxaio.workers", engine, LinuxAio::nthreads)
                .description("worker threads alive")
                .tags(tags)
                .register(registry);
        FunctionCounter.builder("linuxaio.workers.stall.started", engine, LinuxAio::workersStartedOnStalls)
                .description("workers started because requests waited on workers asleep in the kernel")
                .tags(tags)
                .register(registry);
        String completed = "requests completed on the submitting thread, without a worker";
        inline(registry, "linuxaio.inline.completed", "read", InlineStats::reads, completed);
        inline(registry, "linuxaio.inline.completed", "open", InlineStats::opens, completed);
        inline(registry, "linuxaio.inline.completed", "stat", InlineStats::stats, completed);
        inline(registry, "linuxaio.inline.completed", "close", InlineStats::closes, completed);
        inline(registry, "linuxaio.inline.completed", "sendfile", InlineStats::sendfiles, completed);
        String batched = "of the requests completed on the submitting thread, those made together in one io_uring_enter";
        inline(registry, "linuxaio.inline.batched", "read", InlineStats::readsBatched, batched);
        inline(registry, "linuxaio.inline.batched", "open", InlineStats::opensBatched, batched);
        String toPool = "requests tried on the submitting thread that would have waited for the disk, sent to a worker";
        inline(registry, "linuxaio.inline.to.pool", "read", InlineStats::readsToPool, toPool);
        inline(registry, "linuxaio.inline.to.pool", "open", InlineStats::opensToPool, toPool);
        inline(registry, "linuxaio.inline.to.pool", "sendfile", InlineStats::sendfilesNotCached, toPool);
        inline(registry, "linuxaio.inline.refused", null, InlineStats::refused,
                "calls the kernel refused the no-wait flags for; that path is then switched off");
        inline(registry, "linuxaio.inline.slow", null, InlineStats::slow,
                "calls tried on the submitting thread that took over a millisecond");
    }

    /** A counter of {@link LinuxAio#inlineStats()}, read at each scrape. */
    private void inline(MeterRegistry registry, String name, String operation, ToLongFunction<InlineStats> count,
                        String description) {
        FunctionCounter.builder(name, engine, aio -> count.applyAsLong(aio.inlineStats()))
                .description(description)
                .tags(operation == null ? tags : tags.and("operation", operation))
                .register(registry);
    }
}
