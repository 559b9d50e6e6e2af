package com.company.database.schemaversion.engine;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Optional;

/**
 * Asks a PostgreSQL server whether it offers TLS, as every client does first: an SSLRequest, answered with one
 * byte, 'S' or 'N'. pgjdbc reports a server that answers 'N' only with a sentence, under a SQLSTATE it also uses
 * for other refusals; the server's own answer is the fact. Nothing is sent but the request: no login.
 */
final class TlsProbe {
    /** The SSLRequest code of the PostgreSQL frontend/backend protocol. */
    private static final int SSL_REQUEST = 80877103;
    private static final int TIMEOUT_MILLIS = 3000;

    private TlsProbe() {
    }

    /** Whether the server offers TLS; empty when it cannot be asked or answers something else. */
    static Optional<Boolean> offersTls(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
            s.setSoTimeout(TIMEOUT_MILLIS);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeInt(8);
            out.writeInt(SSL_REQUEST);
            out.flush();
            int answer = new DataInputStream(s.getInputStream()).read();
            return answer == 'S' ? Optional.of(true) : answer == 'N' ? Optional.of(false) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
