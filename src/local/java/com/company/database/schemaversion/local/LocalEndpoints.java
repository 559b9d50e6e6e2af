package com.company.database.schemaversion.local;

import java.io.IOException;

/**
 * The local SSM, KMS, Lambda and ECS endpoints the local runner's sessions point the handlers at. The handlers' SDK
 * clients keep the endpoint they were built with for the life of the JVM (aws/AwsClients), so the endpoints must
 * outlive one session: the process edge (LocalRunner's main, a test JVM's harness) builds them once and hands
 * them to every run.
 */
public final class LocalEndpoints implements AutoCloseable {
    private final LocalSsm ssm;
    private final LocalKms kms;
    private final LocalLambda lambda;
    private final LocalEcs ecs;

    public LocalEndpoints(LocalSsm ssm, LocalKms kms, LocalLambda lambda, LocalEcs ecs) {
        this.ssm = ssm;
        this.kms = kms;
        this.lambda = lambda;
        this.ecs = ecs;
    }

    /** Fresh endpoints, with a Lambda that behaves well. */
    public static LocalEndpoints start() throws IOException {
        return withLambda(new LocalLambda());
    }

    /** Fresh SSM, KMS and ECS endpoints beside the given Lambda (the tests' has their faults). */
    public static LocalEndpoints withLambda(LocalLambda lambda) throws IOException {
        return new LocalEndpoints(new LocalSsm(), new LocalKms(), lambda, new LocalEcs());
    }

    public LocalSsm ssm() {
        return ssm;
    }

    public LocalKms kms() {
        return kms;
    }

    public LocalLambda lambda() {
        return lambda;
    }

    public LocalEcs ecs() {
        return ecs;
    }

    @Override
    public void close() {
        ecs.close();
        lambda.close();
        kms.close();
        ssm.close();
    }
}
