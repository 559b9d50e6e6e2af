package com.company.database.schemaversion.testing;

import com.company.database.schemaversion.local.LocalLambda;
import com.company.database.schemaversion.testing.TestLambda;

/**
 * The test JVM's Lambda: the local runner's {@link LocalLambda}, with the runner role's placeholder credentials
 * in the SDK's system properties, where the in-process runner's default credentials chain finds them (as a
 * function finds its role's credentials in Lambda's runtime). Tests that need the user's own chain restore
 * what they change (local/AwsModeTest).
 */
public final class TestLambda {
    private TestLambda() {
    }

    public static LocalLambda shared() {
        LocalLambda lambda = LocalLambda.shared();
        System.setProperty("aws.accessKeyId", LocalLambda.RUNNER_ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", LocalLambda.RUNNER_SECRET_KEY);
        return lambda;
    }
}
