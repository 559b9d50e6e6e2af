package com.company.database.schemaversion.local;

import java.io.IOException;

/**
 * The KMS endpoint of the local runner ({@link KmsEndpoint}), holding no key: the local account is one where
 * the registration template was not deployed, so the handlers find no record key and write plain records, as
 * they would there. The process edge builds one and keeps it for every session ({@link LocalEndpoints}).
 */
public final class LocalKms extends KmsEndpoint {
    public LocalKms() throws IOException {
        super("local-kms", "arn:aws:kms:local:000000000000");
    }
}
