package com.company.database.schemaversion.engine;

import org.postgresql.ds.PGSimpleDataSource;

/** Turns the resource's SslMode into pgjdbc settings. */
final class TlsSettings {
    private TlsSettings() {
    }

    static void apply(PGSimpleDataSource ds, String sslMode) {
        ds.setSslMode(sslMode);
    }
}
