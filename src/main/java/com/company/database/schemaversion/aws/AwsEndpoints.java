package com.company.database.schemaversion.aws;

import java.net.URI;

/**
 * Where the AWS clients of one handler environment send their calls, per service: null leaves it to the SDK's own
 * resolution (the region's endpoint, or AWS_ENDPOINT_URL_* / aws.endpointUrl* where those are set). The tests and
 * the local runner hand in their emulators' endpoints here instead of setting process-wide properties.
 */
public record AwsEndpoints(URI ssm, URI kms, URI lambda, URI ecs) {
    /** Every service where the SDK resolves it: what Lambda uses. */
    public static final AwsEndpoints SDK_DEFAULT = new AwsEndpoints(null, null, null, null);

    public AwsEndpoints withSsm(URI endpoint) {
        return new AwsEndpoints(endpoint, kms, lambda, ecs);
    }

    public AwsEndpoints withKms(URI endpoint) {
        return new AwsEndpoints(ssm, endpoint, lambda, ecs);
    }

    public AwsEndpoints withLambda(URI endpoint) {
        return new AwsEndpoints(ssm, kms, endpoint, ecs);
    }

    public AwsEndpoints withEcs(URI endpoint) {
        return new AwsEndpoints(ssm, kms, lambda, endpoint);
    }
}
