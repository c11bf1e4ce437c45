package io.linuxaio.examples.http;

import org.junit.jupiter.api.BeforeAll;

/**
 * Every {@link FileServerTest} again, on the path a kernel without openat2 gets: open by the full
 * path, then the realpath of the descriptor must lie under the root, then fstat.
 */
class RealpathCheckTest extends FileServerTest {

    /** Hides {@link ServerTestBase#startServer()}, so only this one runs. */
    @BeforeAll
    static void startServer() throws Exception {
        start(builder -> builder.openat2(false));
    }

    @Override
    boolean expectOpenat2() {
        return false;
    }
}
