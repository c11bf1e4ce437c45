package io.linuxaio.examples;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.testcontainers.containers.ContainerLaunchException;
import org.testcontainers.containers.wait.strategy.AbstractWaitStrategy;

/**
 * Ready once something accepts connections on 127.0.0.1:port: for a server in a container on the
 * host network, which has no mapped port for Testcontainers' own port checks to look at.
 */
final class LoopbackPortWait extends AbstractWaitStrategy {
    private final int port;

    LoopbackPortWait(int port) {
        this.port = port;
    }

    @Override
    protected void waitUntilReady() {
        long deadline = System.nanoTime() + startupTimeout.toNanos();
        // The rate limiter paces the attempts; each one looks at the condition itself.
        while (!pacedAttempt()) {
            if (!waitStrategyTarget.isRunning()) {
                throw new ContainerLaunchException("the container exited before it listened on 127.0.0.1:" + port
                        + "; its output:\n" + waitStrategyTarget.getLogs());
            }
            if (System.nanoTime() - deadline > 0) {
                throw new ContainerLaunchException("nothing listened on 127.0.0.1:" + port + " within "
                        + startupTimeout + "; container output:\n" + waitStrategyTarget.getLogs());
            }
        }
    }

    private boolean pacedAttempt() {
        try {
            return getRateLimiter().getWhenReady(this::accepts);
        } catch (Exception e) {
            throw new ContainerLaunchException("waiting for 127.0.0.1:" + port + " failed", e);
        }
    }

    private boolean accepts() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }
}
