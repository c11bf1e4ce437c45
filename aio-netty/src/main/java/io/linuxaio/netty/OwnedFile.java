package io.linuxaio.netty;

import io.linuxaio.AioContext;
import io.linuxaio.AioFile;
import io.linuxaio.LinuxAio;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;

/** Closing a file that a handler opened itself, always through the engine (never on the loop). */
final class OwnedFile {
    private static final InternalLogger logger = InternalLoggerFactory.getInstance(OwnedFile.class);

    private OwnedFile() {}

    /**
     * Closes {@code file} through {@code context}, or through the engine's own context when
     * {@link AioEventLoops} was closed under the transfer. The engine closes the descriptor once the
     * requests still running on it have finished. Only a closed engine leaves it open, and says so.
     */
    static void close(AioContext context, LinuxAio engine, AioFile file) {
        if (file == null) {
            return;
        }
        try {
            context.close(file, null);
            return;
        } catch (IllegalStateException contextClosed) {
            // AioEventLoops closed first: fall through to the engine.
        }
        try {
            engine.close(file, null);
        } catch (IllegalStateException engineClosed) {
            logger.warn("{} stays open: its engine was closed before the handler using it was done", file);
        }
    }
}
