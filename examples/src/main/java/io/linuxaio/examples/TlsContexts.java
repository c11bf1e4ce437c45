package io.linuxaio.examples;

import io.linuxaio.examples.http.FileServer;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.util.List;

/**
 * The server's TLS context: from PEM files, or from a self-signed certificate made at start,
 * accepting only the TLS versions asked for, and offering HTTP/2 by ALPN.
 *
 * <p>With TLS 1.2 among them, a client could ask for a renegotiation, a full handshake that costs
 * the server milliseconds of CPU and the client almost nothing. The JDK refuses those only when
 * {@code jdk.tls.rejectClientInitiatedRenegotiation} is true when its first server handshake
 * starts: {@link #refuseClientRenegotiation()} sets it, unless the command line set it already.
 */
final class TlsContexts {
    static final String REJECT_RENEGOTIATION = "jdk.tls.rejectClientInitiatedRenegotiation";

    private TlsContexts() {}

    /** Makes the JDK refuse TLS 1.2 renegotiation a client asks for; call before any TLS handshake. */
    static void refuseClientRenegotiation() {
        if (System.getProperty(REJECT_RENEGOTIATION) == null) {
            System.setProperty(REJECT_RENEGOTIATION, "true");
        }
    }

    /**
     * The versions asked for, h2 offered by ALPN before HTTP/1.1, and, for TLS 1.2, only the cipher
     * suites HTTP/2 allows (RFC 9113 § 9.2.2), which every current client has.
     */
    private static SslContextBuilder http2(SslContextBuilder builder, List<String> protocols) {
        return builder.protocols(protocols)
                .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                .applicationProtocolConfig(FileServer.ALPN);
    }

    /** From a PEM certificate chain and its PEM private key (PKCS#8, or PKCS#1 through BouncyCastle). */
    static SslContext fromPem(Path certChain, Path key, List<String> protocols) throws IOException {
        for (Path file : new Path[] {certChain, key}) {
            if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                throw new IOException("cannot read " + file);
            }
        }
        try {
            return http2(SslContextBuilder.forServer(certChain.toFile(), key.toFile()), protocols).build();
        } catch (IOException | IllegalArgumentException e) {
            throw new IOException("cannot use " + certChain + " and " + key + ": " + e.getMessage(), e);
        }
    }

    /** A certificate for {@code localhost}, made now and valid for a year; browsers will warn about it. */
    // Deprecated in Netty 4.2 in favour of netty-pkitesting, a test library; for a demo's
    // certificate made at start this one, backed by BouncyCastle, is still the simple way.
    @SuppressWarnings("deprecation")
    static SslContext selfSigned(List<String> protocols) throws IOException {
        SelfSignedCertificate certificate;
        try {
            certificate = new SelfSignedCertificate("localhost");
        } catch (CertificateException e) {
            throw new IOException("cannot make a self-signed certificate: " + e.getMessage(), e);
        }
        try {
            return http2(SslContextBuilder.forServer(certificate.certificate(), certificate.privateKey()), protocols).build();
        } finally {
            certificate.delete(); // The context holds the key now; don't leave it in /tmp.
        }
    }
}
