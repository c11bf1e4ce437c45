/**
 * The linux-aio engine's state for Micrometer: {@link io.linuxaio.micrometer.LinuxAioMetrics}
 * binds its queue depths, workers and first-try counters to any {@code MeterRegistry}. A module of
 * its own, so that aio-core depends on JNA alone.
 */
package io.linuxaio.micrometer;
