package io.linuxaio;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the request test classes share: an engine of their own, closed after each test, and a
 * temporary directory for the files they make, removed by JUnit.
 */
abstract class EngineTestBase {
    @TempDir Path dir;
    final LinuxAio aio = new LinuxAio();

    @AfterEach
    void closeEngine() {
        aio.close();
    }

    /** {@code name} in the test's directory, joined as text: a name that is not UTF-8 has no java.nio Path. */
    String path(String name) {
        return dir + "/" + name;
    }
}
