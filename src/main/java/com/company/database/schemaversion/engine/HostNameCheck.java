package com.company.database.schemaversion.engine;

import org.postgresql.ssl.PGjdbcHostnameVerifier;

import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.SSLSession;

/**
 * pgjdbc's host-name check for SslMode verify-full (TlsSettings names it as sslhostnameverifier), which says a
 * mismatch by its own exception type: pgjdbc would report a refused name with only a sentence under a SQLSTATE it
 * also uses for a cut connection. pgjdbc creates one per connection; nothing is kept.
 */
public final class HostNameCheck implements HostnameVerifier {

    /** The server's certificate does not name the host connected to. pgjdbc closes the socket and lets it through. */
    static final class Mismatch extends RuntimeException {
        Mismatch(String host) {
            super("the server's certificate does not name the host " + host);
        }
    }

    @Override
    public boolean verify(String hostname, SSLSession session) {
        if (PGjdbcHostnameVerifier.INSTANCE.verify(hostname, session)) {
            return true;
        }
        throw new Mismatch(hostname);
    }
}
