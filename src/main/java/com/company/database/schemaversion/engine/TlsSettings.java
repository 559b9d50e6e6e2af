package com.company.database.schemaversion.engine;

import org.postgresql.ds.PGSimpleDataSource;
import org.postgresql.ssl.NonValidatingFactory;

/**
 * Turns the resource's SslMode into pgjdbc settings. verify-ca and verify-full trust only the RDS CA bundle baked
 * into the artifact (BundledCaSocketFactory); verify-full also checks the host name (pgjdbc does that). require
 * encrypts without checking the certificate, disable does not encrypt: both only when the template asks.
 * pgjdbc's default factory is never used: it looks for certificates under the home directory, which Lambda lacks.
 */
final class TlsSettings {
    static final String DEFAULT_MODE = "verify-full";

    private TlsSettings() {
    }

    static void apply(PGSimpleDataSource ds, String sslMode) {
        String mode = sslMode == null ? DEFAULT_MODE : sslMode;
        ds.setSslMode(mode);
        switch (mode) {
            case "verify-ca", "verify-full" -> ds.setSslfactory(BundledCaSocketFactory.class.getName());
            case "require" -> ds.setSslfactory(NonValidatingFactory.class.getName());
            case "disable" -> { }
            default -> throw new IllegalArgumentException("unknown SslMode " + mode);
        }
    }
}
