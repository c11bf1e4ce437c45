package io.linuxaio.examples.http;

/** The ways a client reaches the plain port: each test suite that parameterizes over it runs once per way. */
enum Protocol {
    /** HTTP/1.1, through the JDK's client. */
    HTTP_1_1,
    /** HTTP/2 after an HTTP/1.1 request that asks to upgrade to h2c, through the JDK's client. */
    H2C_UPGRADE,
    /** HTTP/2 from the first byte (the connection preface), through {@link H2Client}. */
    H2C_PRIOR_KNOWLEDGE
}
