package io.linuxaio.examples;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** The command line of a JVM of its own for a test: this JVM's java and classpath, perhaps under a command such as prlimit. */
public final class ChildJvm {
    private ChildJvm() {}

    /**
     * {@code [prefix...] java [jvmArgs...] -cp CLASSPATH main [args...]}. The classpath is this
     * JVM's without SLF4J, so Netty logs through java.util.logging, as in the server's own jar.
     */
    public static List<String> command(List<String> prefix, List<String> jvmArgs, Class<?> main, String... args) {
        List<String> command = new ArrayList<>(prefix);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        command.add("-cp");
        command.add(Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(entry -> !entry.contains("slf4j"))
                .collect(Collectors.joining(java.io.File.pathSeparator)));
        command.add(main.getName());
        command.addAll(List.of(args));
        return command;
    }
}
