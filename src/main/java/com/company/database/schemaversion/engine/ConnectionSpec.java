package com.company.database.schemaversion.engine;

import java.util.Objects;

/**
 * How to reach and log in to the database. Holds the password: never log it; toString leaves out both login
 * values (the user name may be anything an SSM parameter held, a secret too).
 *
 * @param sslMode             libpq's name: disable, require, verify-ca, verify-full
 * @param extraCaCertificates PEM certificates trusted beside the baked RDS bundle for verify-ca/verify-full, or null
 * @param loginSource         where the login came from, for messages (e.g. "the login in SSM parameters /a and
 *                            /b"): messages name it, never the login itself
 */
public record ConnectionSpec(String host, int port, String database, String sslMode, String username, String password,
                             String extraCaCertificates, String loginSource) {

    public ConnectionSpec {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(database, "database");
        sslMode = sslMode == null ? TlsSettings.DEFAULT_MODE : sslMode;
        extraCaCertificates = extraCaCertificates == null || extraCaCertificates.isBlank() ? null : extraCaCertificates;
        loginSource = loginSource == null ? "the configured login" : loginSource;
    }

    public ConnectionSpec(String host, int port, String database, String sslMode, String username, String password) {
        this(host, port, database, sslMode, username, password, null, null);
    }

    /** host:port/database, the form used in every message. */
    public String where() {
        return host + ":" + port + "/" + database;
    }

    /**
     * The text with both login values replaced by what they are, for messages built from a server's or driver's
     * words (PostgreSQL echoes the user name: password authentication failed for user "..."). Values shorter
     * than four characters are replaced only where quoted, so a message is not shredded letter by letter.
     */
    public String redact(String text) {
        if (text == null) {
            return null;
        }
        String t = text;
        t = redactValue(t, password, "<password>");
        t = redactValue(t, username, "<user name>");
        return t;
    }

    private static String redactValue(String text, String value, String replacement) {
        if (value == null || value.isEmpty()) {
            return text;
        }
        String t = text.replace("\"" + value + "\"", "\"" + replacement + "\"").replace("'" + value + "'", "'" + replacement + "'");
        return value.length() >= 4 ? t.replace(value, replacement) : t;
    }

    @Override
    public String toString() {
        return "ConnectionSpec[" + where() + ", sslmode=" + sslMode + ", login from " + loginSource + "]";
    }
}
