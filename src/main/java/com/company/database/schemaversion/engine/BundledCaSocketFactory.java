package com.company.database.schemaversion.engine;

import org.postgresql.ssl.WrappedFactory;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * artifact (certs/rds-ca-bundle.pem) and nothing else. It reads the bundle from the classpath, never from a
 * file, because the rpdk wrapper empties java.io.tmpdir on every call and Lambda has no home directory.
 * pgjdbc still checks the host name itself for verify-full.
 *
 * <p>{@value #EXTRA_BUNDLE_PROPERTY} names one more PEM bundle to trust ({@code classpath:NAME} or a file
 * path): a private CA in front of the database, or a test CA.
 */
public final class BundledCaSocketFactory extends WrappedFactory {
    public static final String BUNDLE_RESOURCE = "certs/rds-ca-bundle.pem";
    public static final String EXTRA_BUNDLE_PROPERTY = "company.schemaversion.extraCaBundle";

    private static final Object LOCK = new Object();
    private static String cachedFor;
    private static SSLContext cached;

    /** pgjdbc instantiates the factory with the connection properties. */
    public BundledCaSocketFactory(Properties ignored) {
        this.factory = context().getSocketFactory();
    }

    static SSLContext context() {
        String extra = System.getProperty(EXTRA_BUNDLE_PROPERTY, "");
        synchronized (LOCK) {
            if (cached == null || !extra.equals(cachedFor)) {
                cached = build(extra);
                cachedFor = extra;
            }
            return cached;
        }
    }

    /** How many certificates the baked bundle holds (checked by the build's tests). */
    static int bakedCertificateCount() {
        return load("classpath:" + BUNDLE_RESOURCE).size();
    }

    private static SSLContext build(String extra) {
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            List<Certificate> certs = new ArrayList<>(load("classpath:" + BUNDLE_RESOURCE));
            if (!extra.isBlank()) {
                certs.addAll(load(extra.strip()));
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
            throw new IllegalStateException("cannot set up TLS trust from " + BUNDLE_RESOURCE
                    + (extra.isBlank() ? "" : " and " + extra) + ": " + e.getMessage(), e);
        }
    }

    private static Collection<? extends Certificate> load(String location) {
        try (InputStream in = open(location)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new IllegalStateException("no certificate in " + location);
            }
            return certs;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the CA bundle " + location + ": " + e.getMessage(), e);
        }
    }

    private static InputStream open(String location) throws IOException {
        if (location.startsWith("classpath:")) {
            String name = location.substring("classpath:".length());
            InputStream in = BundledCaSocketFactory.class.getClassLoader().getResourceAsStream(name);
            if (in == null) {
                throw new IOException("not on the classpath: " + name);
            }
            return in;
        }
        return Files.newInputStream(Path.of(location));
    }
}
