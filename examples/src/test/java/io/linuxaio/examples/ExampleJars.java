package io.linuxaio.examples;

import java.nio.file.Path;

/** The runnable jars this module's {@code package} phase makes, which the container tests run. */
final class ExampleJars {
    private ExampleJars() {}

    static Path selfCheck() {
        return target().resolve("engine-self-check.jar");
    }

    static Path server() {
        return target().resolve("static-file-server.jar");
    }

    private static Path target() {
        return Path.of(System.getProperty("linuxaio.examples.target", "target")).toAbsolutePath();
    }
}
