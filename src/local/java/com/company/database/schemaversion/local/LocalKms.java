package com.company.database.schemaversion.local;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The KMS endpoint of the local runner ({@link KmsEndpoint}), holding no key: the local account is one where
 * the registration template was not deployed, so the handlers find no record key and write plain records, as
 * they would there. One server per JVM: the SDK keeps its KMS client (and so the endpoint) for the life of the JVM.
 */
public final class LocalKms extends KmsEndpoint {
    private static LocalKms shared;

    private LocalKms() throws IOException {
        super("local-kms", "arn:aws:kms:local:000000000000");
    }

    /** The JVM's local KMS endpoint, started on first use. */
    public static synchronized LocalKms shared() {
        if (shared == null) {
            try {
                shared = new LocalKms();
            } catch (IOException e) {
                throw new UncheckedIOException("could not start the local KMS endpoint", e);
            }
        }
        return shared;
    }

    @Override
    public void close() {
        // shared for the JVM's life: the SDK client keeps pointing here
    }
}
