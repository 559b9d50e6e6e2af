package com.company.database.schemaversion.engine;

import java.util.Objects;

/**
 * How to reach and log in to the database. Holds the password: never log it; toString leaves it out.
 *
 * @param sslMode libpq's name: disable, require, verify-ca, verify-full
 */
public record ConnectionSpec(String host, int port, String database, String sslMode, String username, String password) {

    public ConnectionSpec {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(database, "database");
        sslMode = sslMode == null ? "verify-full" : sslMode;
    }

    /** host:port/database, the form used in every message. */
    public String where() {
        return host + ":" + port + "/" + database;
    }

    @Override
    public String toString() {
        return "ConnectionSpec[" + where() + ", sslmode=" + sslMode + ", user=" + username + "]";
    }
}
