/**
 * The Netty binding of linux-aio: completions on Netty's native epoll event loops, and handlers
 * that move file bytes through a pipeline without a file system call on the loop.
 *
 * <ul>
 *   <li>{@link io.linuxaio.netty.AioEventLoops}: one completion context per event loop, polled by
 *       that loop, so a channel's file requests complete on the channel's own thread.</li>
 *   <li>{@link io.linuxaio.netty.AioFileHandler} with {@link io.linuxaio.netty.AioFileRegion}:
 *       sends files down a pipeline (plain or TLS) in pooled direct chunks, with writability as
 *       backpressure.</li>
 *   <li>{@link io.linuxaio.netty.AioFileReader}: a file as a pipeline's inbound bytes, for decoders.</li>
 *   <li>{@link io.linuxaio.netty.AioFileWriter}: a pipeline's inbound bytes to a file, for uploads.</li>
 * </ul>
 */
package io.linuxaio.netty;
