package io.linuxaio.examples;

import com.github.dockerjava.api.exception.NotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The image the container tests run in, and containers made from it that can never pull.
 *
 * <p>Its name is {@code -Dlinuxaio.test.image}, else the environment's {@code LINUXAIO_TEST_IMAGE},
 * else {@value #DEFAULT}. The default image is built here with {@code src/test/container/build-image.sh}
 * when Docker lacks it; any other image must already be present ({@code docker pull} it yourself),
 * because no test may reach a registry.
 */
final class TestImage {
    static final String DEFAULT = "linux-aio-test-jre:17";
    static final String PROPERTY = "linuxaio.test.image";
    static final String ENVIRONMENT = "LINUXAIO_TEST_IMAGE";
    private static final Duration BUILD_LIMIT = Duration.ofMinutes(5);

    private static String present; // guarded by TestImage.class

    private TestImage() {}

    static String name() {
        String fromProperty = System.getProperty(PROPERTY);
        if (fromProperty != null && !fromProperty.isBlank()) {
            return fromProperty.trim();
        }
        String fromEnvironment = System.getenv(ENVIRONMENT);
        return fromEnvironment != null && !fromEnvironment.isBlank() ? fromEnvironment.trim() : DEFAULT;
    }

    /** A container of the test image, which is made present first; it never pulls. */
    static GenericContainer<?> newContainer() {
        return new GenericContainer<>(DockerImageName.parse(ensurePresent()))
                .withImagePullPolicy(image -> false);
    }

    /** The image's name, once Docker has it: built now if it is the default and missing. */
    static synchronized String ensurePresent() {
        String name = name();
        if (name.equals(present)) {
            return name;
        }
        if (!isLocal(name)) {
            if (!name.equals(DEFAULT)) {
                throw new IllegalStateException("image " + name + " (from " + PROPERTY + " or " + ENVIRONMENT
                        + ") is not in the local Docker; the tests never pull, so run: docker pull " + name);
            }
            build(name);
            if (!isLocal(name)) {
                throw new IllegalStateException("the image build reported success, but Docker has no " + name);
            }
        }
        present = name;
        return name;
    }

    private static boolean isLocal(String name) {
        try {
            DockerClientFactory.instance().client().inspectImageCmd(name).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    private static void build(String name) {
        Path script = Path.of(System.getProperty("linuxaio.test.image.script", "src/test/container/build-image.sh"));
        if (!Files.isRegularFile(script)) {
            throw new IllegalStateException("image " + name + " is missing and its build script " + script + " is not there");
        }
        Path log;
        try {
            log = Files.createTempFile("linux-aio-test-image-", ".log");
        } catch (IOException e) {
            throw new IllegalStateException("cannot make a log file for the image build", e);
        }
        try {
            ProcessBuilder builder = new ProcessBuilder(List.of("bash", script.toString(), name))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            // jlink the JDK these tests run on, when it is a full JDK.
            Path javaHome = Path.of(System.getProperty("java.home"));
            if (Files.isRegularFile(javaHome.resolve("jmods/java.base.jmod"))) {
                builder.environment().put("JAVA_HOME", javaHome.toString());
            }
            Process process = builder.start();
            if (!process.waitFor(BUILD_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("building " + name + " took over " + BUILD_LIMIT + ":\n" + read(log));
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("building " + name + " with " + script + " failed (exit "
                        + process.exitValue() + "):\n" + read(log));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while building " + name, e);
        } finally {
            try {
                Files.deleteIfExists(log);
            } catch (IOException e) {
                // Only a temp file; the build's outcome matters more than its log.
            }
        }
    }

    private static String read(Path log) throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }
}
