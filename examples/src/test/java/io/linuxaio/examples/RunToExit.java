package io.linuxaio.examples;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import org.testcontainers.containers.startupcheck.StartupCheckStrategy;

/**
 * A container of a program that runs to its end: "started" once it has exited, whatever its exit
 * status, so that the test can assert on the status and the output itself rather than lose the
 * output to a startup failure.
 */
final class RunToExit extends StartupCheckStrategy {
    @Override
    public StartupStatus checkStartupState(DockerClient docker, String containerId) {
        InspectContainerResponse.ContainerState state = getCurrentState(docker, containerId);
        return Boolean.TRUE.equals(state.getRunning()) ? StartupStatus.NOT_YET_KNOWN : StartupStatus.SUCCESSFUL;
    }
}
