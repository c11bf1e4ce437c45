package io.linuxaio.benchmarks;

/** The request each benchmark keeps in flight. */
enum Op {
    /** A 4 KiB pread at a random 4 KiB-aligned offset of the page-cached data file. */
    READ,
    /** A stat of one of the small files, in turn. */
    STAT,
    /** An open of one of the small files, then, from its completion, a close: one operation, two requests. */
    OPEN_CLOSE
}
