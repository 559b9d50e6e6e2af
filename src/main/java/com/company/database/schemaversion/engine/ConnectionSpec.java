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
 * @param iamToken            the password is an IAM database authentication token (IamAuthTokens), not a value
 *                            read from SSM
 */
public record ConnectionSpec(String host, int port, String database, String sslMode, String username, String password,
                             String extraCaCertificates, String loginSource, boolean iamToken) {
    /**
     * The shortest piece of a login value that is scrubbed wherever it appears. Servers cut and quote what they
     * were sent (PostgreSQL truncates a user name to 63 bytes in "role ... does not exist"), so scrubbing only
     * the whole value would let the start of a password read as a user name through.
     */
    static final int SCRUBBED_PIECE = 8;

    public ConnectionSpec {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(database, "database");
        sslMode = sslMode == null ? TlsSettings.DEFAULT_MODE : sslMode;
        extraCaCertificates = extraCaCertificates == null || extraCaCertificates.isBlank() ? null : extraCaCertificates;
        loginSource = loginSource == null ? "the configured login" : loginSource;
    }

    public ConnectionSpec(String host, int port, String database, String sslMode, String username, String password,
                          String extraCaCertificates, String loginSource) {
        this(host, port, database, sslMode, username, password, extraCaCertificates, loginSource, false);
    }

    /** host:port/database, the form used in every message. */
    public String where() {
        return host + ":" + port + "/" + database;
    }

    /**
     * The text with both login values replaced by what they are, for messages built from a server's or driver's
     * words (PostgreSQL echoes the user name: password authentication failed for user "..."). Values shorter
     * than four characters are replaced only where quoted, so a message is not shredded letter by letter. Every
     * piece of {@value #SCRUBBED_PIECE} or more characters of a value read from SSM goes too, wherever it
     * appears: a server may quote a value cut short, or a part of it. An IAM token is public but for its
     * signature and session token (the rest is host, port, user and dates, which messages name anyway).
     */
    public String redact(String text) {
        if (text == null) {
            return null;
        }
        String t = text;
        if (iamToken) {
            t = redactValue(t, password, "<IAM token>");
            t = redactValue(t, IamAuthTokens.queryValue(password, "X-Amz-Signature"), "<signature>");
            String sessionToken = IamAuthTokens.queryValue(password, "X-Amz-Security-Token");
            t = redactValue(t, sessionToken, "<session token>");
            t = redactValue(t, IamAuthTokens.decoded(sessionToken), "<session token>");
        } else {
            t = redactValue(t, password, "<password>");
            t = redactPieces(t, password, "<password>");
        }
        if (!iamToken) {
            // An IAM login's user name is the template's own Credentials.IamUsername, not a value read from SSM.
            t = redactValue(t, username, "<user name>");
            t = redactPieces(t, username, "<user name>");
        }
        return t;
    }

    /**
     * Replaces every run of at least SCRUBBED_PIECE characters of the text that also occurs in the value, except
     * inside the type's own words for where the login came from and where it went (parameter names, host and
     * database), which name things and hold no value: a password that happens to contain "password" must not
     * blank out the name of its parameter.
     */
    private String redactPieces(String text, String value, String replacement) {
        String t = text;
        for (String own : new String[] {loginSource, where()}) {
            int at = own.length() < SCRUBBED_PIECE ? -1 : t.indexOf(own);
            if (at >= 0) {
                return redactPieces(t.substring(0, at), value, replacement) + own
                        + redactPieces(t.substring(at + own.length()), value, replacement);
            }
        }
        return redactPiecesOf(t, value, replacement);
    }

    static String redactPiecesOf(String text, String value, String replacement) {
        if (value == null || value.length() < SCRUBBED_PIECE || text.length() < SCRUBBED_PIECE) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            int end = i + SCRUBBED_PIECE;
            if (end <= text.length() && value.contains(text.substring(i, end))) {
                while (end < text.length() && value.contains(text.substring(i, end + 1))) {
                    end++;
                }
                out.append(replacement);
                i = end;
            } else {
                out.append(text.charAt(i));
                i++;
            }
        }
        return out.toString();
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
