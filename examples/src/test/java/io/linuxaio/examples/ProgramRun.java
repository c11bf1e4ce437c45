package io.linuxaio.examples;

import java.time.Duration;
import java.util.List;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.OutputFrame.OutputType;

/** What a program run to its end in a container left: its exit status and its output. */
record ProgramRun(long exitCode, String stdout, String stderr) {

    /** Starts {@code container}, waits up to {@code limit} for its program to exit, and collects the outcome. */
    static ProgramRun of(GenericContainer<?> container, Duration limit) {
        container.withStartupCheckStrategy(new RunToExit().withTimeout(limit)).start();
        Long exit = container.getDockerClient().inspectContainerCmd(container.getContainerId()).exec()
                .getState().getExitCodeLong();
        return new ProgramRun(exit == null ? -1 : exit, container.getLogs(OutputType.STDOUT), container.getLogs(OutputType.STDERR));
    }

    List<String> lines() {
        return stdout.lines().toList();
    }

    /** Everything, for an assertion's message. */
    String describe() {
        return "exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
    }
}
