package io.linuxaio;

/**
 * How an engine's requests fared when tried first on the thread that submitted them (see
 * {@link LinuxAio#inline(boolean)}): counts since the engine started, for watching. A healthy
 * server on page-cached files shows reads and opens mostly here; a rising {@code readsToPool} is
 * the disk being needed; {@code refused} and {@code slow} should stay 0, and a non-zero
 * {@code slow} says the kernel took over a millisecond for a call it promised would not wait.
 *
 * @param reads        reads that completed here
 * @param readsToPool  reads that found bytes missing from the page cache and went to a worker
 *                     (with whatever part was cached read already)
 * @param opens        opens (and path stats) the dentry cache answered here, with a file or a final error
 * @param opensToPool  opens that needed the disk, left the starting file system, or met a FIFO or
 *                     device, and went to a worker
 * @param stats        stats that completed here
 * @param closes       closes that completed here
 * @param sendfiles    sendfile calls made here, each right after mincore found its whole range in
 *                     the page cache and read in ({@link LinuxAio#sendfileIfCached})
 * @param sendfilesNotCached sendfiles not made, as mincore found part of the range not read in
 * @param refused      calls the kernel refused the flags for (the path is switched off after), and
 *                     the first file mincore would not answer about (see {@link LinuxAio#sendfileIfCached})
 * @param slow         calls tried here that took over a millisecond (a batch of reads counts as one)
 * @param readsBatched of {@code reads}, those a pollCb's callbacks submitted and that were made
 *                     together, in one {@code io_uring_enter} as that pollCb ended; 0 where
 *                     io_uring is refused (a seccomp profile, a kernel before 5.6), and reads are
 *                     then tried one by one
 * @param opensBatched of {@code opens}, those made together in one {@code io_uring_enter}: opens
 *                     a pollCb's callbacks submitted, made as it ended, and opens an
 *                     {@link AioPoller}'s thread submitted outside a pollCb (an event loop's
 *                     channels asking for files), made as the pollCb it then runs starts; 0 where
 *                     io_uring is refused
 */
public record InlineStats(long reads, long readsToPool, long opens, long opensToPool, long stats, long closes,
                          long sendfiles, long sendfilesNotCached, long refused, long slow, long readsBatched,
                          long opensBatched) {}
