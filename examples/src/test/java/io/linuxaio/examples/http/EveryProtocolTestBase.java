package io.linuxaio.examples.http;

import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A server suite whose every test runs once per {@link Protocol}: {@code get} and {@code send}
 * speak the protocol of the run, and check that they did. The server and its site are the class's,
 * shared by the runs.
 */
@ParameterizedClass
@EnumSource(Protocol.class)
abstract class EveryProtocolTestBase extends ServerTestBase {
    @Parameter
    Protocol protocol;

    @Override
    Protocol protocol() {
        return protocol;
    }
}
