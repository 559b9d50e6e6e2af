package com.company.database.schemaversion.hardening;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server that speaks just enough of the PostgreSQL protocol to collect a login, as a hostile server would:
 * it answers the SSLRequest with TLS (when given a context) or with 'N', then asks for the password in
 * cleartext (AuthenticationCleartextPassword) and keeps every byte the client sends. Tests assert that a login
 * never arrives where the account's policy or TLS says it must not go.
 */
final class FakePostgres implements AutoCloseable {
    private static final int SSL_REQUEST = 80877103;
    private static final int GSSENC_REQUEST = 80877104;

    private final ServerSocket server;
    private final SSLContext tls;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private final AtomicInteger connections = new AtomicInteger();
    private final Thread acceptor;

    FakePostgres(SSLContext tls) throws IOException {
        this.tls = tls;
        this.server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "fake-postgres");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    int connections() {
        return connections.get();
    }

    /** Everything clients sent after any TLS was taken off, as text (the password arrives as a C string). */
    String received() {
        synchronized (received) {
            return received.toString(StandardCharsets.ISO_8859_1);
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                connections.incrementAndGet();
                s.setSoTimeout(5_000);
                serve(s);
            } catch (IOException | RuntimeException endOfOneClient) {
                // a client that gives up (a failed handshake) is the expected case
            }
        }
    }

    private void serve(Socket socket) throws IOException {
        Socket s = socket;
        DataInputStream in = new DataInputStream(s.getInputStream());
        OutputStream out = s.getOutputStream();
        int length = in.readInt();
        int code = in.readInt();
        while (code == SSL_REQUEST || code == GSSENC_REQUEST) {
            if (code == SSL_REQUEST && tls != null) {
                out.write('S');
                out.flush();
                SSLSocket secured = (SSLSocket) tls.getSocketFactory().createSocket(s, null, s.getPort(), false);
                secured.setUseClientMode(false);
                secured.startHandshake();
                s = secured;
                in = new DataInputStream(s.getInputStream());
                out = s.getOutputStream();
            } else {
                out.write('N');
                out.flush();
            }
            length = in.readInt();
            code = in.readInt();
        }
        record(in.readNBytes(length - 8));
        DataOutputStream reply = new DataOutputStream(out);
        reply.writeByte('R');
        reply.writeInt(8);
        reply.writeInt(3); // AuthenticationCleartextPassword
        reply.flush();
        int type = in.read();
        if (type < 0) {
            return;
        }
        int messageLength = in.readInt();
        record(in.readNBytes(messageLength - 4));
        byte[] error = "SFATAL\0C28P01\0Mfake server\0\0".getBytes(StandardCharsets.US_ASCII);
        reply.writeByte('E');
        reply.writeInt(error.length + 4);
        reply.write(error);
        reply.flush();
    }

    private void record(byte[] bytes) {
        synchronized (received) {
            received.writeBytes(bytes);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
