package com.company.database.schemaversion.aws;

import com.company.database.schemaversion.core.Reason;
import com.company.database.schemaversion.core.ReconcileException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The runner's deployment package, built by the same Maven build and shipped inside the handler artifact as
 * a resource. Lambda reports a function's code as the base64 SHA-256 of its package (CodeSha256): comparing
 * the two tells whether the runner runs this type version's code.
 */
public final class LambdaRunnerPackage {
    public static final String RESOURCE = "runner/schemaversion-runner.zip";
    private static volatile LambdaRunnerPackage loaded;

    private final byte[] zip;
    private final String sha256;

    private LambdaRunnerPackage(byte[] zip) {
        this.zip = zip;
        try {
            this.sha256 = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(zip));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static LambdaRunnerPackage get() {
        LambdaRunnerPackage p = loaded;
        if (p == null) {
            try (InputStream in = LambdaRunnerPackage.class.getClassLoader().getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new ReconcileException(Reason.INTERNAL, "This type's artifact carries no runner package ("
                            + RESOURCE + "): it was not built with 'mvn package'. Execution.Mode VpcRunner needs it.");
                }
                p = new LambdaRunnerPackage(in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            loaded = p;
        }
        return p;
    }

    /** Tests run before 'package' builds the real one: they hand in a package of their own. */
    public static void use(byte[] zip) {
        loaded = zip == null ? null : new LambdaRunnerPackage(zip);
    }

    public byte[] zip() {
        return zip;
    }

    public String sha256() {
        return sha256;
    }
}
