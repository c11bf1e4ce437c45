package io.linuxaio;

/**
 * What {@link AioContext#openatStat} delivers: a file just opened and the {@code statx} of that
 * very descriptor, made on the same worker in the same trip, so the stat describes the file that
 * was opened even if the path now names another.
 *
 * @param file the open file; the receiver owns it and closes it as any other
 * @param stat its stat, as {@link AioContext#stat(AioFile, AioCallback)} would report it
 */
public record OpenedFile(AioFile file, Stat stat) {}
