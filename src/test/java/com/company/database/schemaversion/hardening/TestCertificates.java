package com.company.database.schemaversion.hardening;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.Key;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A throw-away CA and a server certificate for 127.0.0.1 (IP SAN only, so "localhost" is a wrong host name),
 * made at test time with the JDK's keytool: no openssl needed. Files go under target/, not java.io.tmpdir
 * (the wrapper empties that).
 */
public final class TestCertificates {
    public final Path dir;
    public final Path caPem;
    public final Path serverCertPem;
    public final Path serverKeyPem;
    private static final String STORE_PASSWORD = "changeit";

    private TestCertificates(Path dir) {
        this.dir = dir;
        this.caPem = dir.resolve("test-ca.pem");
        this.serverCertPem = dir.resolve("server.crt");
        this.serverKeyPem = dir.resolve("server.key");
    }

    /**
     * An embedded PostgreSQL that serves TLS with this CA's server certificate, its files under {@code base}
     * (work/ and data/, cleaned first).
     */
    public EmbeddedPostgres startServer(File base) throws IOException {
        return EmbeddedPostgres.builder()
                .setOverrideWorkingDirectory(new File(base, "work"))
                .setDataDirectory(new File(base, "data"))
                .setCleanDataDirectory(true)
                .setServerConfig("ssl", "on")
                .setServerConfig("ssl_cert_file", serverCertPem.toString())
                .setServerConfig("ssl_key_file", serverKeyPem.toString())
                .start();
    }

    public static TestCertificates create() throws Exception {
        return create("");
    }

    /** A CA of its own, in a folder of its own: tests that need two CAs at once name them. */
    public static TestCertificates create(String name) throws Exception {
        Path dir = Path.of("target/hardening-tls/" + ProcessHandle.current().pid(), name).toAbsolutePath();
        Files.createDirectories(dir);
        TestCertificates c = new TestCertificates(dir);
        String pw = STORE_PASSWORD;
        Path ca = dir.resolve("ca.p12");
        Path server = dir.resolve("server.p12");
        if (Files.exists(c.serverKeyPem) && Files.exists(c.serverCertPem) && Files.exists(c.caPem) && Files.exists(server)) {
            // Made earlier in this JVM (the folder is this process's; the key is written last): five keytool JVMs
            // and two RSA keys fewer for every further test class that needs a CA.
            return c;
        }
        Files.deleteIfExists(ca);
        Files.deleteIfExists(server);
        keytool(null, "-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=Hardening Test CA" + (name.isEmpty() ? "" : " " + name),
                "-ext", "bc:c", "-validity", "3", "-keystore", ca.toString(), "-storepass", pw, "-storetype", "PKCS12");
        keytool(null, "-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=127.0.0.1",
                "-validity", "3", "-keystore", server.toString(), "-storepass", pw, "-storetype", "PKCS12");
        byte[] csr = keytool(null, "-certreq", "-alias", "server", "-keystore", server.toString(), "-storepass", pw);
        byte[] cert = keytool(csr, "-gencert", "-alias", "ca", "-keystore", ca.toString(), "-storepass", pw, "-rfc",
                "-validity", "3", "-ext", "san=ip:127.0.0.1", "-ext", "ku=digitalSignature,keyEncipherment",
                "-ext", "eku=serverAuth");
        Files.write(c.serverCertPem, cert);
        Files.write(c.caPem, keytool(null, "-exportcert", "-alias", "ca", "-keystore", ca.toString(), "-storepass", pw, "-rfc"));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(server)) {
            ks.load(in, pw.toCharArray());
        }
        Key key = ks.getKey("server", pw.toCharArray());
        String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(key.getEncoded()) + "\n-----END PRIVATE KEY-----\n";
        Files.deleteIfExists(c.serverKeyPem);
        Files.writeString(c.serverKeyPem, pem);
        Files.setPosixFilePermissions(c.serverKeyPem, PosixFilePermissions.fromString("rw-------"));
        return c;
    }

    /** A TLS server context with the CA-signed server certificate (for fake servers that must present it). */
    javax.net.ssl.SSLContext serverContext() throws Exception {
        KeyStore generated = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dir.resolve("server.p12"))) {
            generated.load(in, STORE_PASSWORD.toCharArray());
        }
        Key key = generated.getKey("server", STORE_PASSWORD.toCharArray());
        java.security.cert.CertificateFactory x509 = java.security.cert.CertificateFactory.getInstance("X.509");
        java.security.cert.Certificate[] chain;
        try (InputStream server = Files.newInputStream(serverCertPem); InputStream ca = Files.newInputStream(caPem)) {
            chain = new java.security.cert.Certificate[] {x509.generateCertificate(server), x509.generateCertificate(ca)};
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("server", key, STORE_PASSWORD.toCharArray(), chain);
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, STORE_PASSWORD.toCharArray());
        javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    private static byte[] keytool(byte[] stdin, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        if (stdin != null) {
            p.getOutputStream().write(stdin);
        }
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("keytool " + String.join(" ", args) + " failed: " + err);
        }
        return out;
    }
}
