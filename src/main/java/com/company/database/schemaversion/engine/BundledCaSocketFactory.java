package com.company.database.schemaversion.engine;

import org.postgresql.ssl.WrappedFactory;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Properties;

/**
 * pgjdbc's socket factory for SslMode verify-ca and verify-full: trusts the Amazon RDS CA bundle baked into the
 * artifact (certs/rds-ca-bundle.pem, from https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem;
 * BundleChecksumTest pins it, guides/type-configuration.md says how to refresh it) and the account admin's
 * Connections.ExtraCaCertificates, which TlsSettings passes as pgjdbc's sslfactoryarg. Nothing else: not the
 * JDK's cacerts, not a file a template could name. It reads the bundle from the classpath, never from a file,
 * because the rpdk wrapper empties java.io.tmpdir on every call and Lambda has no home directory. pgjdbc
 * still checks the host name itself for verify-full.
 */
public final class BundledCaSocketFactory extends WrappedFactory {
    public static final String BUNDLE_RESOURCE = "certs/rds-ca-bundle.pem";
    /** pgjdbc's connection property that carries the extra PEM certificates to this factory. */
    static final String EXTRA_PEM_PROPERTY = "sslfactoryarg";

    /**
     * pgjdbc instantiates the factory by class name, with the connection properties, for each new connection: the
     * trust is built here, from the baked certificates (read once) and the connection's extra ones. Connections
     * are kept and reused (ReusableConnections), so this runs rarely, and nothing outlives it but the bundle.
     */
    public BundledCaSocketFactory(Properties info) {
        String extra = info == null ? null : info.getProperty(EXTRA_PEM_PROPERTY);
        this.factory = context(extra == null ? "" : extra).getSocketFactory();
    }

    static SSLContext context(String extraPem) {
        return build(extraPem);
    }

    /** How many certificates the baked bundle holds (checked by the build's tests). */
    static int bakedCertificateCount() {
        return bakedCertificates().size();
    }

    /**
     * The certificates of a PEM text, for checking the type configuration before a connection needs them.
     *
     * @throws IllegalArgumentException when the text holds no certificate or one that does not parse
     */
    public static List<Certificate> parsePem(String pem) {
        try {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            if (certs.isEmpty()) {
                throw new IllegalArgumentException("no PEM certificate in it");
            }
            return List.copyOf(certs);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static List<Certificate> bakedCertificates() {
        return Baked.CERTIFICATES;
    }

    /** The baked bundle, read when a verified connection first needs it (class initialisation is lazy) and immutable. */
    private static final class Baked {
        static final List<Certificate> CERTIFICATES = read();

        private static List<Certificate> read() {
            try (InputStream in = BundledCaSocketFactory.class.getClassLoader().getResourceAsStream(BUNDLE_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("the RDS CA bundle " + BUNDLE_RESOURCE + " is not on the classpath");
                }
                return List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(in));
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalStateException("cannot read the RDS CA bundle " + BUNDLE_RESOURCE + ": " + e.getMessage(), e);
            }
        }
    }

    private static SSLContext build(String extraPem) {
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            List<Certificate> certs = new ArrayList<>(bakedCertificates());
            if (!extraPem.isBlank()) {
                try {
                    certs.addAll(parsePem(extraPem));
                } catch (IllegalArgumentException e) {
                    throw new IllegalStateException("the type configuration's Connections.ExtraCaCertificates cannot be"
                            + " read (" + e.getMessage() + ")", e);
                }
            }
            for (int i = 0; i < certs.size(); i++) {
                trust.setCertificateEntry("ca-" + i, certs.get(i));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot set up TLS trust from " + BUNDLE_RESOURCE + ": " + e.getMessage(), e);
        }
    }
}
