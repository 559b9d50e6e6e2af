package com.company.database.schemaversion.security;

import com.company.database.schemaversion.engine.BundledCaSocketFactory;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pins the RDS CA bundle baked into the artifact: verify-full trusts every certificate in it, so a changed
 * bundle changes whom the type sends logins to. A deliberate refresh (guides/type-configuration.md, "The RDS CA
 * bundle") updates the checksum and count here in the same commit.
 */
class RdsCaBundleTest {
    static final String SHA256 = "fefac91d6800404461cece76724bc0a2383f4f556a1c9beb0813fac6f2e1e49f";
    static final int CERTIFICATES = 115;

    private static byte[] bundle() throws Exception {
        try (InputStream in = RdsCaBundleTest.class.getClassLoader().getResourceAsStream(BundledCaSocketFactory.BUNDLE_RESOURCE)) {
            assertThat(in).as(BundledCaSocketFactory.BUNDLE_RESOURCE + " on the classpath").isNotNull();
            return in.readAllBytes();
        }
    }

    @Test
    void theBakedBundleIsTheReviewedOne() throws Exception {
        String actual = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bundle()));
        assertThat(actual).as("SHA-256 of " + BundledCaSocketFactory.BUNDLE_RESOURCE
                + "; after a deliberate refresh, update SHA256 and CERTIFICATES").isEqualTo(SHA256);
    }

    @Test
    void everyCertificateIsAnAmazonRdsCertificateAuthority() throws Exception {
        @SuppressWarnings("unchecked")
        List<X509Certificate> certs = (List<X509Certificate>) (List<?>) List.copyOf(CertificateFactory.getInstance("X.509")
                .generateCertificates(new java.io.ByteArrayInputStream(bundle())));
        assertThat(certs).hasSize(CERTIFICATES);
        for (X509Certificate c : certs) {
            String subject = c.getSubjectX500Principal().getName();
            assertThat(subject).contains("OU=Amazon RDS").contains("O=Amazon Web Services\\, Inc.");
            assertThat(c.getBasicConstraints()).as(subject + " is a CA").isGreaterThanOrEqualTo(0);
        }
    }
}
