package com.company.database.schemaversion.engine;

import org.postgresql.ds.PGSimpleDataSource;
import org.postgresql.ssl.NonValidatingFactory;

/**
 * Turns the resource's SslMode into pgjdbc settings. verify-ca and verify-full trust only the RDS CA bundle baked
 * into the artifact plus the account's Connections.ExtraCaCertificates (BundledCaSocketFactory); verify-full
 * also checks the host name (pgjdbc does that, with HostNameCheck). require encrypts without checking the
 * certificate, disable does not encrypt: whether a template may ask for them is AccountPolicy's decision, made
 * before a ConnectionSpec exists. pgjdbc's default factory is never used: it looks for certificates under the home directory, which
 * Lambda lacks.
 *
 * <p>channelBinding stays pgjdbc's default (prefer): require would refuse RDS Proxy, which does not offer
 * SCRAM-SHA-256-PLUS. verify-full already binds the login to a server that proved it is the declared host.
 */
public final class TlsSettings {
    public static final String DEFAULT_MODE = "verify-full";

    private TlsSettings() {
    }

    static void apply(PGSimpleDataSource ds, ConnectionSpec c) {
        String mode = c.sslMode() == null ? DEFAULT_MODE : c.sslMode();
        ds.setSslMode(mode);
        switch (mode) {
            case "verify-ca", "verify-full" -> {
                ds.setSslfactory(BundledCaSocketFactory.class.getName());
                // pgjdbc hands the factory its connection properties; sslfactoryarg carries the extra PEM there.
                ds.setSslfactoryarg(c.extraCaCertificates() == null ? "" : c.extraCaCertificates());
                if ("verify-full".equals(mode)) {
                    ds.setSslhostnameverifier(HostNameCheck.class.getName());
                }
            }
            case "require" -> ds.setSslfactory(NonValidatingFactory.class.getName());
            case "disable" -> { }
            default -> throw new IllegalArgumentException("unknown SslMode " + mode);
        }
    }
}
